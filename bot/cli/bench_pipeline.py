"""``motcua bench pipeline``: simulated residents through the Telegram webhook, end to end
(see ``bot.bench_pipeline``)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from bot.bench_pipeline import PROFILES, Options, run
from bot.event_loop import loop_factory


def register_pipeline(bench: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = bench.add_parser(
        "pipeline",
        help="webhook -> inbox -> handlers -> outbox -> Bot API, with a raw aiohttp ceiling",
    )
    p.add_argument(
        "--profile",
        choices=PROFILES,
        default="commune",
        help="commune: one commune's Telegram bot (default); province: 100 communes, "
        "3,000 residents (70%% on Zalo Bot), 500 updates/s for 60 s, two instances on "
        "PostgreSQL with a worker process each. Options given below override the profile's.",
    )
    p.add_argument("--residents", type=int, help="simulated residents (commune: 100)")
    p.add_argument(
        "--rate",
        type=float,
        help="open loop: send this many updates/s in all instead of waiting for replies",
    )
    p.add_argument("--duration", type=float, help="seconds measured (commune: 10)")
    p.add_argument("--warmup", type=float, help="seconds before measuring (commune: 2)")
    p.add_argument("--communes", type=int, help="communes, each with its own bots")
    p.add_argument("--zalo-share", type=float, help="share of residents on Zalo Bot (0-1)")
    p.add_argument("--instances", type=int, help="server processes on one PostgreSQL database")
    p.add_argument(
        "--workers", type=int, help="worker processes per server (motcua serve --workers)"
    )
    p.add_argument(
        "--settle",
        type=float,
        help="seconds the servers may take after the run to answer what they accepted; "
        "only what is unanswered then counts as lost (default: 180)",
    )
    p.add_argument("--database-url", help="e.g. postgresql://... (default: SQLite in a temp dir)")
    p.add_argument(
        "--flood-limits", action="store_true", help="keep Telegram's 30 messages/s per bot"
    )
    p.add_argument("--no-ceiling", action="store_true", help="skip the raw aiohttp ceiling")
    p.add_argument("--keep", type=Path, help="keep the data directory and server log here")
    p.add_argument("--cprofile", type=Path, help="run the server under cProfile, output here")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    try:
        options = Options.for_profile(
            args.profile,
            residents=args.residents,
            rate=args.rate,
            duration=args.duration,
            warmup=args.warmup,
            database_url=args.database_url,
            flood_limits=args.flood_limits,
            ceiling=not args.no_ceiling,
            keep=args.keep,
            cprofile=args.cprofile,
            communes=args.communes,
            zalo_share=args.zalo_share,
            instances=args.instances,
            workers=args.workers,
            settle=args.settle,
        )
    except ValueError as exc:
        print(f"motcua bench pipeline: {exc}", file=sys.stderr)
        return 2
    # The load generator shares the machine's cores with the servers: on uvloop, as they
    # run by default, it takes a little less of them.
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        figures = runner.run(run(options))
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return 0
    ceiling = figures["ceiling_updates_per_s"]
    limits = "on" if figures["flood_limits"] else "off"
    rate = figures["offered_rate"]
    load = f"open loop at {rate:g}/s" if rate else "closed loop"
    print(
        f"profile {figures['profile']}: {figures['communes']} commune(s), "
        f"{figures['instances']} instance(s), {figures['workers']} worker process(es) each, "
        f"database {figures['database']}"
    )
    print(
        f"{figures['residents']} residents ({figures['residents_on_zalo']} on Zalo Bot, "
        f"{load}), {figures['duration_s']} s measured, flood limits {limits}"
    )
    print(
        f"sustained: {figures['updates_per_s']} updates/s end to end "
        f"({figures['replies'] + figures['answered_late']} of {figures['updates']} updates "
        f"answered, {figures['replies']} of them within 15 s)"
    )
    print(f"webhook ack: p50 {figures['ack_p50_ms']} ms, p99 {figures['ack_p99_ms']} ms")
    print(f"reply:       p50 {figures['reply_p50_ms']} ms, p99 {figures['reply_p99_ms']} ms")
    print(
        f"lost: {figures['lost']}, duplicated: {figures['duplicated']}, answered late: "
        f"{figures['answered_late']} (all answered {figures['settled_s']} s after the end)"
        if not figures["lost"]
        else f"lost: {figures['lost']} (unanswered {figures['settled_s']} s after the end), "
        f"duplicated: {figures['duplicated']}, answered late: {figures['answered_late']}"
    )
    print(f"memory: peak {figures['server_peak_rss_mb']} MB per server process")
    if figures["server_cpu_ms_per_update"] is not None:
        print(
            f"CPU per update: servers {figures['server_cpu_ms_per_update']} ms, "
            f"this harness {figures['harness_cpu_ms_per_update']} ms, rest of the machine "
            f"(the database, if here) {figures['rest_cpu_ms_per_update']} ms"
        )
        if figures["offered_rate"] and figures["rest_cpu_ms_per_update"] is not None:
            per_update = figures["server_cpu_ms_per_update"] + figures["rest_cpu_ms_per_update"]
            cores = per_update * figures["offered_rate"] / 1000
            print(
                f"cores the servers and database need at {figures['offered_rate']:g}/s: {cores:.1f}"
            )
    if ceiling:
        print(f"raw aiohttp ceiling: {ceiling} requests/s (ratio {figures['ratio_to_ceiling']})")
    return 0
