"""``motcua bench``: benchmarks are commands that print figures; tests assert behaviour.

Each benchmark lives in its own module with a ``register_<name>(bench_subparsers)``
function; this module only assembles the group.
"""

from __future__ import annotations

import argparse

from bot.cli.bench_matcher import register_matcher
from bot.cli.bench_pipeline import register_pipeline
from bot.cli.surveys import register_reports


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("bench", help="benchmarks (print figures)")
    bench = p.add_subparsers(dest="bench_command", required=True, metavar="BENCHMARK")
    register_matcher(bench)
    register_pipeline(bench)
    register_reports(bench)
