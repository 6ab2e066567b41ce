"""Measure the matcher's speed and memory against a naive rapidfuzz baseline.

The baseline is what one would write first: fold every official name once, then for each
message ``rapidfuzz.process.extractOne(fold(message), names, scorer=WRatio)``. It scores
8% top-1 on the dev set, so it is a floor for speed, not for quality.

Figures per catalogue (``bench_matcher``):

- ``build_ms``: time to build the index (``Matcher(catalogue)``; for the baseline, folding
  the names);
- ``build_peak_mb``: tracemalloc peak while building (Python allocations only);
- ``rss_mb``: resident set size of the process after building (includes the catalogue and
  everything loaded before, so compare it between runs, not against zero);
- ``p50_ms``, ``p99_ms``, ``mean_ms``, ``max_ms``: per-message latency over ``rounds``
  passes of the queries, after one untimed warm-up pass (caches filled, as in a server).

Benchmarks are commands, not tests: they print figures and assert nothing.
"""

from __future__ import annotations

import gc
import json
import resource
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from knowledge.models import Catalogue
from knowledge.normalize import fold
from knowledge.search import Matcher

__all__ = [
    "baseline_search",
    "bench_matcher",
    "format_bench",
    "load_queries",
    "rss_mb",
    "standard_benchmark",
]


def rss_mb() -> float:
    """Current resident set size in MB (Linux /proc), else the peak from getrusage."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            pages = int(f.read().split()[1])
        return pages * resource.getpagesize() / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_queries(path: Path | str) -> list[str]:
    """The ``text`` of every record of a JSONL file (the dev set, for instance)."""
    out: list[str] = []
    with Path(path).open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                out.append(str(json.loads(line)["text"]))
    return out


class _Baseline:
    """The naive matcher: WRatio of the folded message against every folded name."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.codes = [p.code for p in catalogue]
        self.names = [fold(p.name) for p in catalogue]

    def search(self, text: str) -> str | None:
        hit = process.extractOne(fold(text), self.names, scorer=fuzz.WRatio)
        return self.codes[hit[2]] if hit else None


def baseline_search(catalogue: Catalogue) -> Callable[[str], str | None]:
    """The baseline as a function (message -> best code), for comparisons."""
    return _Baseline(catalogue).search


def _percentile(sorted_ms: Sequence[float], q: float) -> float:
    if not sorted_ms:
        return 0.0
    k = min(len(sorted_ms) - 1, max(0, round(q * (len(sorted_ms) - 1))))
    return sorted_ms[k]


def _build(factory: Callable[[], Any]) -> tuple[Any, float, float]:
    gc.collect()
    tracemalloc.start()
    t0 = time.perf_counter()
    obj = factory()
    build_ms = (time.perf_counter() - t0) * 1000
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return obj, build_ms, peak / 2**20


def _time(search: Callable[[str], object], queries: Sequence[str], rounds: int) -> dict[str, float]:
    for q in queries:  # warm-up: caches, lazy imports
        search(q)
    samples: list[float] = []
    for _ in range(rounds):
        for q in queries:
            t0 = time.perf_counter()
            search(q)
            samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {
        "p50_ms": round(_percentile(samples, 0.50), 3),
        "p99_ms": round(_percentile(samples, 0.99), 3),
        "mean_ms": round(sum(samples) / len(samples), 3) if samples else 0.0,
        "max_ms": round(samples[-1], 3) if samples else 0.0,
        "n": len(samples),
    }


def bench_matcher(
    catalogue: Catalogue, queries: Sequence[str], rounds: int = 5
) -> dict[str, dict[str, Any]]:
    """Speed and memory of our matcher and of the baseline on one catalogue."""
    matcher, m_build_ms, m_peak = _build(lambda: Matcher(catalogue))
    m_rss = rss_mb()
    baseline, b_build_ms, b_peak = _build(lambda: _Baseline(catalogue))
    b_rss = rss_mb()
    return {
        "catalogue": {"procedures": len(catalogue), "queries": len(queries), "rounds": rounds},
        "matcher": {
            **_time(matcher.search, queries, rounds),
            "build_ms": round(m_build_ms, 1),
            "build_peak_mb": round(m_peak, 2),
            "rss_mb": round(m_rss, 1),
        },
        "baseline": {
            **_time(baseline.search, queries, rounds),
            "build_ms": round(b_build_ms, 1),
            "build_peak_mb": round(b_peak, 2),
            "rss_mb": round(b_rss, 1),
        },
    }


def format_bench(results: dict[str, dict[str, dict[str, Any]]]) -> str:
    """A readable table of ``{catalogue label: bench_matcher(...)}``."""
    cols = ("p50_ms", "p99_ms", "mean_ms", "max_ms", "build_ms", "build_peak_mb", "rss_mb")
    lines = [f"{'catalogue':<22} {'matcher':<9}" + "".join(f"{c:>14}" for c in cols)]
    for label, res in results.items():
        n = res["catalogue"]["procedures"]
        for who in ("matcher", "baseline"):
            row = res[who]
            lines.append(
                f"{label + f' ({n})':<22} {who:<9}" + "".join(f"{row[c]:>14}" for c in cols)
            )
    return "\n".join(lines)


def standard_benchmark(shared: Path, rounds: int = 5) -> dict[str, dict[str, dict[str, Any]]]:
    """The two catalogues of the acceptance checks, queried with the dev set texts.

    ``commune``: the shipped catalogue merged with the commune-level portal records and the
    Defence file (what ``motcua eval`` uses); ``all_levels``: every record of
    ``tthc_all.jsonl.gz`` (2,642, all levels), to see how the matcher scales.
    """
    from knowledge.catalogue import build_catalogue
    from knowledge.importers import load_file

    queries = load_queries(shared / "eval" / "dev_questions.jsonl")
    commune, _ = build_catalogue(
        [
            shared / "data" / "portal" / "tthc_cap_xa.jsonl.gz",
            shared / "data" / "portal_bqp" / "bqp_tthc_structured.jsonl",
        ]
    )
    full = Catalogue(
        load_file(shared / "data" / "portal" / "tthc_all.jsonl.gz", all_levels=True).procedures
    )
    return {
        "commune": bench_matcher(commune, queries, rounds),
        "all_levels": bench_matcher(full, queries, rounds),
    }
