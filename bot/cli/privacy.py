"""``motcua retention``: run the retention schedule now, or see what it would do.

    motcua retention --dry-run        # counts per commune and kind, changes nothing
    motcua retention --commune an-binh

The same run happens every night as the ``privacy.retention`` job.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from bot.cli.common import commune_profile, open_database
from bot.communes import CommuneDirectory
from bot.db.base import utcnow
from privacy import retention


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "retention", help="delete or anonymise personal data past its retention period"
    )
    p.add_argument("--dry-run", action="store_true", help="only count what would change")
    p.add_argument("--commune", help="one commune's slug (default: every commune)")
    p.add_argument("--json", action="store_true", help="print the counts as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))


async def _run(args: argparse.Namespace) -> int:
    async with open_database() as db:
        if args.commune:
            communes = [await commune_profile(db, args.commune)]
        else:
            directory = CommuneDirectory(db)
            await directory.refresh()
            communes = directory.all()
        report = await retention.run(db, communes, now=utcnow(), dry_run=args.dry_run)
    if args.json:
        print(json.dumps({"dry_run": args.dry_run, "communes": report}, indent=2))
        return 0
    verb = "would change" if args.dry_run else "changed"
    for slug, counts in report.items():
        print(f"{slug}:" + (" (dry run, nothing changed)" if args.dry_run else ""))
        for kind in retention.KINDS:
            print(f"  {kind.name:<16} {counts[kind.name]:>7}  {kind.what} ({verb})")
    return 0
