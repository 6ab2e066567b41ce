"""``motcua catalogue import|list|show``: a commune's procedure catalogue.

An import is all or nothing: the file is parsed and validated completely before the
database is touched, and every entry is written in one transaction.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.catalogue_store import apply_import
from bot.cli import CommandError
from bot.cli.common import commune_profile, open_database
from bot.communes import DISABLED_PROCEDURES
from bot.db.base import utcnow
from bot.db.models import Commune
from bot.knowledge_base import effective_catalogue
from knowledge import render
from knowledge.importers import CatalogueImportError, load_file
from knowledge.models import Catalogue, Procedure


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("catalogue", help="import, list and show procedures")
    csub = p.add_subparsers(dest="catalogue_command", required=True, metavar="ACTION")

    imp = csub.add_parser(
        "import", help="merge a portal JSONL/XLSX, Defence JSONL or own YAML file"
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--commune", help="commune slug (default: the default commune)")
    imp.add_argument(
        "--all-levels", action="store_true", help="keep procedures that are not commune level"
    )
    imp.add_argument(
        "--dry-run", action="store_true", help="report what would change, change nothing"
    )
    imp.set_defaults(func=run_import)

    lst = csub.add_parser("list", help="list the commune's procedures")
    lst.add_argument("--commune")
    lst.add_argument("--field", help="only this field (lĩnh vực)")
    lst.set_defaults(func=run_list)

    for action, text in (
        ("disable", "stop answering about procedures the commune does not handle"),
        ("enable", "answer about procedures disabled before"),
    ):
        toggle = csub.add_parser(action, help=text)
        toggle.add_argument("codes", nargs="+", metavar="CODE", help="national codes")
        toggle.add_argument("--commune")
        toggle.set_defaults(func=run_toggle, enable=action == "enable")

    show = csub.add_parser("show", help="show one procedure in full")
    show.add_argument("code", help="national code, e.g. 1.001193")
    show.add_argument("--commune")
    show.set_defaults(func=run_show)


def run_import(args: argparse.Namespace) -> int:
    if not args.file.exists():
        raise CommandError(f"no such file: {args.file}")
    try:
        result = load_file(args.file, all_levels=args.all_levels)
    except CatalogueImportError as exc:
        raise CommandError(f"import refused, nothing was changed: {exc}") from exc
    for skip in result.skipped:
        print(f"skipped: {skip}")
    for warning in result.warnings:
        print(f"warning: {warning}")
    added, changed, unchanged = asyncio.run(_import(args, result.procedures))
    verb = "would be" if args.dry_run else "were"
    print(
        f"{args.file.name}: {len(result.procedures)} procedures read; "
        f"{len(added)} {verb} added, {len(changed)} changed, {len(unchanged)} unchanged, "
        f"{len(result.skipped)} skipped"
    )
    return 0


async def _import(
    args: argparse.Namespace, procedures: list[Procedure]
) -> tuple[list[str], list[str], list[str]]:
    async with open_database() as db:
        commune = await commune_profile(db, args.commune)
        async with db.transaction() as session:
            report = await apply_import(
                session, commune, procedures, now=utcnow(), dry_run=args.dry_run
            )
        return report.added, list(report.changed), report.unchanged


async def _catalogue(slug: str | None) -> Catalogue:
    async with open_database() as db:
        commune = await commune_profile(db, slug)
        async with db.read() as session:
            return await effective_catalogue(session, commune)


def run_list(args: argparse.Namespace) -> int:
    catalogue = asyncio.run(_catalogue(args.commune))
    procedures = [p for p in catalogue if not args.field or p.field == args.field]
    for p in procedures:
        print(f"{p.code}  {p.field[:28]:<28}  {p.display_name}")
    print(f"{len(procedures)} procedures")
    return 0


def run_show(args: argparse.Namespace) -> int:
    catalogue = asyncio.run(_catalogue(args.commune))
    p = catalogue.get(args.code)
    if p is None:
        raise CommandError(f"no procedure {args.code} in this commune's catalogue")
    print(render.card(p))
    for section in (
        render.SECTION_DOCUMENTS,
        render.SECTION_FEE,
        render.SECTION_PLACE,
        render.SECTION_STEPS,
        render.SECTION_LEGAL,
    ):
        print()
        print(render.section(p, section))
    if p.aliases:
        print()
        print("Aliases: " + "; ".join(p.aliases))
    print(f"Source: {p.source}")
    return 0


def run_toggle(args: argparse.Namespace) -> int:
    """A commune's catalogue choices: procedures it does not handle are switched off."""
    disabled = asyncio.run(_toggle(args))
    print(f"disabled for this commune: {', '.join(disabled) or 'none'}")
    return 0


async def _toggle(args: argparse.Namespace) -> list[str]:
    async with open_database() as db:
        commune = await commune_profile(db, args.commune)
        async with db.transaction() as session:
            catalogue = await effective_catalogue(session, commune)
            row = await session.get(Commune, commune.id)
            assert row is not None
            settings = dict(row.settings or {})
            disabled = set(settings.get(DISABLED_PROCEDURES, ()))
            for code in args.codes:
                if args.enable:
                    disabled.discard(code)
                elif code in catalogue or code in disabled:
                    disabled.add(code)
                else:
                    raise CommandError(f"no procedure {code} in this commune's catalogue")
            settings[DISABLED_PROCEDURES] = sorted(disabled)
            row.settings = settings
    return sorted(disabled)
