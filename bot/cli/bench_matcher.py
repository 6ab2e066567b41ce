"""``motcua bench matcher``: per-query latency and memory of the matcher and of a naive
rapidfuzz baseline, on the commune catalogue and (with ``--full``) on a large one."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot.cli import CommandError
from bot.cli.ask import load_catalogue
from knowledge.bench import bench_matcher, format_bench, load_queries
from knowledge.importers import CatalogueImportError, load_file
from knowledge.models import Catalogue

DEFAULT_QUERIES = Path("tests/data/holdout_questions.jsonl")


def register_matcher(bench: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = bench.add_parser("matcher", help="matcher latency and memory vs a naive baseline")
    p.add_argument(
        "--catalogue",
        action="append",
        type=Path,
        default=[],
        metavar="PATH",
        help="add this file to the shipped catalogue (repeatable), as eval does",
    )
    p.add_argument(
        "--full",
        type=Path,
        metavar="PATH",
        help="also measure on this file alone, every level (e.g. tthc_all.jsonl.gz)",
    )
    p.add_argument(
        "--queries",
        type=Path,
        default=DEFAULT_QUERIES,
        metavar="FILE.jsonl",
        help=f"messages to search, the 'text' of each line (default {DEFAULT_QUERIES})",
    )
    p.add_argument("--rounds", type=int, default=5, help="timed passes over the queries")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.queries.exists():
        raise CommandError(f"no query file {args.queries} (give --queries FILE.jsonl)")
    queries = load_queries(args.queries)
    results = {
        "commune": bench_matcher(load_catalogue(args.catalogue, False), queries, args.rounds)
    }
    if args.full is not None:
        try:
            full = Catalogue(load_file(args.full, all_levels=True).procedures)
        except (CatalogueImportError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        results["full"] = bench_matcher(full, queries, args.rounds)
    if args.json:
        # The commune catalogue's figures at the top, the large catalogue's under "full".
        output = dict(results["commune"])
        if "full" in results:
            output["full"] = results["full"]
        print(json.dumps(output, ensure_ascii=False, indent=2))
    else:
        print(format_bench(results))
    return 0
