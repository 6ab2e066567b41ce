"""``motcua bench reports``: the index and the export on a province's worth of answers.

Generates 1,000,000 answers over 100 communes and 2 years into a fresh SQLite database
(the real schema, from the migrations), then measures what a reporting officer waits
for: one commune's quarter, every commune's quarter side by side, and streaming a set of
answers to XLSX. The export runs in a child process so its peak memory (ru_maxrss) is
its own, not the generator's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.db.engine import Database
from bot.db.migrate import upgrade
from surveys import export, index
from surveys.periods import between, parse_period

GROUPS = (
    ("land_construction_investment", "Đất đai", 0.2),
    ("health_education", "Y tế", 0.05),
    ("other", "Hộ tịch", 0.75),
)
# Ratings skewed high, as real ones are.
SCORES = (1, 2, 3, 4, 5)
WEIGHTS = (0.02, 0.03, 0.08, 0.37, 0.50)


def register(bench: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = bench.add_parser(
        "reports", help="satisfaction index and XLSX export timings on generated answers"
    )
    p.add_argument("--answers", type=int, default=1_000_000)
    p.add_argument("--communes", type=int, default=100)
    p.add_argument("--years", type=int, default=2, help="answers spread over this many years")
    p.add_argument("--period", default=None, help="the quarter to index (default: last year's Q3)")
    p.add_argument("--export", default=None, help="period to export (default: everything)")
    p.add_argument("--db", type=Path, help="keep the generated database here")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    first_year = 2025 if args.years <= 2 else 2027 - args.years
    last_year = first_year + args.years - 1
    period = parse_period(args.period or f"{last_year}-Q3")
    export_period = (
        parse_period(args.export)
        if args.export
        else between(date(first_year, 1, 1), date(last_year, 12, 31))
    )
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as tmp:
        path = args.db or Path(tmp) / "bench.db"
        if path.exists():
            path.unlink()
        started = time.perf_counter()
        asyncio.run(_migrate(path))
        generate(path, args.answers, args.communes, first_year, args.years)
        generate_s = time.perf_counter() - started
        commune_ms, all_ms = asyncio.run(_time_index(path, period, args.communes))
        out = Path(tmp) / "export.xlsx"
        export_s, peak_mb, rows = _export_in_child(path, export_period, out)
        size_mb = out.stat().st_size / 2**20 if out.exists() else 0.0
    figures: dict[str, Any] = {
        "answers": args.answers,
        "communes": args.communes,
        "years": args.years,
        "generate_s": round(generate_s, 1),
        "period": period.label,
        "commune_quarter_ms": round(commune_ms, 1),
        "all_quarter_ms": round(all_ms, 1),
        "export_rows": rows,
        "export_s": round(export_s, 1),
        "export_peak_mb": round(peak_mb, 1),
        "export_file_mb": round(size_mb, 1),
        "goals": {"commune_quarter_ms": 200, "all_quarter_ms": 3000, "export_peak_mb": 300},
    }
    if args.json:
        print(json.dumps(figures))
    else:
        print(
            f"{args.answers} answers, {args.communes} communes, {args.years} years "
            f"(generated in {generate_s:.0f} s)"
        )
        print(f"one commune's {period.label} index: {commune_ms:.1f} ms (goal < 200 ms)")
        print(f"all communes' {period.label} index: {all_ms:.0f} ms (goal < 3000 ms)")
        print(
            f"XLSX export of {rows} answers: {export_s:.1f} s, peak memory {peak_mb:.0f} MB "
            f"(goal < 300 MB), file {size_mb:.0f} MB"
        )
    return 0


async def _migrate(path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await upgrade(db)
    finally:
        await db.dispose()


def _rows(
    answers: int, communes: int, first_year: int, years: int, seed: int = 20260701
) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(seed)
    start = datetime(first_year, 1, 1, tzinfo=UTC) - timedelta(hours=7)
    span = int(
        (
            datetime(first_year + years, 1, 1, tzinfo=UTC) - timedelta(hours=7) - start
        ).total_seconds()
    )
    group_keys = [g for g in GROUPS]
    group_weights = [g[2] for g in GROUPS]
    for i in range(1, answers + 1):
        commune = (i - 1) % communes + 1
        answered = start + timedelta(seconds=rng.randrange(span))
        group, field, _ = rng.choices(group_keys, group_weights)[0]
        counter_qr = rng.random() < 0.05
        scores = rng.choices(SCORES, WEIGHTS, k=6)
        yield (
            i,
            commune,
            "sipas-2026@1",
            "counter" if counter_qr else "visit",
            None if counter_qr else "1.001193",
            field,
            group,
            f"Quầy {rng.randint(1, 4)}",
            None if counter_qr else f"Cán bộ {rng.randint(1, 8)}",
            "online" if rng.random() < 0.3 else "in_person",
            None
            if counter_qr
            else (answered - timedelta(days=rng.randint(0, 3))).date().isoformat(),
            answered.replace(tzinfo=None).isoformat(sep=" "),
            *scores,
            None,
            None,
            f"{i:064x}",
        )


def generate(path: Path, answers: int, communes: int, first_year: int, years: int) -> None:
    """Bulk insert with sqlite3 directly: the ORM is not what is being measured."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=OFF")
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
        connection.executemany(
            "INSERT INTO communes (id, slug, name, kind, counters, settings, created_at, "
            "updated_at) VALUES (?, ?, ?, 'xã', '[]', '{}', ?, ?)",
            [(c, f"xa-{c:03d}", f"Xã {c:03d}", now, now) for c in range(1, communes + 1)],
        )
        sql = (
            "INSERT INTO survey_responses (id, commune_id, instrument, evidence, procedure_code, "
            "field, field_group, counter, officer, mode, visit_date, answered_at, overall, "
            "access, procedure, civil_servant, result, feedback, comment, flag, receipt) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        rows = _rows(answers, communes, first_year, years)
        while True:
            chunk = [row for _, row in zip(range(50_000), rows, strict=False)]
            if not chunk:
                break
            connection.executemany(sql, chunk)
        connection.commit()
        connection.execute("ANALYZE")
        connection.commit()
    finally:
        connection.close()


async def _time_index(path: Path, period: Any, communes: int) -> tuple[float, float]:
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        commune_times, all_times = [], []
        async with db.read() as session:
            await index.commune_index(session, 1, period)  # warm the connection and cache
            for commune_id in range(1, min(communes, 7) + 1):
                started = time.perf_counter()
                result = await index.commune_index(session, commune_id, period)
                commune_times.append((time.perf_counter() - started) * 1000)
                assert result.answers > 0
            for _ in range(3):
                started = time.perf_counter()
                figures = await index.all_communes(session, period)
                all_times.append((time.perf_counter() - started) * 1000)
                assert len(figures) == communes
        return statistics.median(commune_times), statistics.median(all_times)
    finally:
        await db.dispose()


def _export_in_child(path: Path, period: Any, out: Path) -> tuple[float, float, int]:
    started = time.perf_counter()
    child = subprocess.run(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "surveys.bench",
            str(path),
            period.start.isoformat(),
            period.end.isoformat(),
            str(out),
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    elapsed = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, peak_kb / 1024, int(child.stdout.strip() or 0)


async def _export(path: Path, start: date, end: date, out: Path) -> int:
    from surveys.periods import Period

    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        bounds = Period("export", start, end).utc_bounds()
        async with db.read() as session:
            return await export.export(session, out, *bounds, fmt="xlsx")
    finally:
        await db.dispose()


if __name__ == "__main__":
    db_path, first, after, target = sys.argv[1:5]
    count = asyncio.run(
        _export(Path(db_path), date.fromisoformat(first), date.fromisoformat(after), Path(target))
    )
    print(count)
