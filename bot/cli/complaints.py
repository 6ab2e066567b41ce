"""``motcua complaints``: exports, the on-time report, the working calendar and settings.

    motcua complaints export --from 2026-01-01 --to 2026-03-31 --format xlsx
    motcua complaints report --from 2026-01-01 --to 2026-03-31
    motcua complaints days add 2026-01-02 --kind off --note "nghỉ bù Tết Dương lịch" --all
    motcua complaints days list --year 2026
    motcua complaints settings --set 'confidential_viewers=["telegram:123"]'

Dates are days in the commune's time zone; ``--to`` is inclusive. Exports mask contacts
unless ``--reveal-contacts`` is given; the identities of formal complaints and
denunciations are never exported.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.cli import CommandError
from bot.cli.common import commune_profile, open_database
from bot.communes import EXTRA_STAFF_CHATS
from bot.config import TIMEZONE
from bot.db.base import utcnow
from bot.db.models import Commune
from complaints import config as complaint_config
from complaints import export, service
from complaints.categories import CATEGORIES


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("complaints", help="complaint exports, reports, calendar and settings")
    csub = p.add_subparsers(dest="complaints_command", required=True, metavar="ACTION")

    exp = csub.add_parser("export", help="tickets of a period as CSV or XLSX")
    _period(exp)
    exp.add_argument("--format", choices=("csv", "xlsx"), default="xlsx")
    exp.add_argument("--output", type=Path, help="file to write (default: named after the period)")
    exp.add_argument(
        "--reveal-contacts",
        action="store_true",
        help="include names and phone numbers (never for complaints and denunciations)",
    )
    exp.set_defaults(func=run_export)

    rep = csub.add_parser("report", help="tickets answered on time, per category")
    _period(rep)
    rep.add_argument("--json", action="store_true", help="print the figures as JSON")
    rep.set_defaults(func=run_report)

    days = csub.add_parser("days", help="days off and compensatory working days")
    dsub = days.add_subparsers(dest="days_command", required=True, metavar="ACTION")
    add = dsub.add_parser("add", help="record a day off or a working day")
    add.add_argument("day", type=_date)
    add.add_argument("--kind", choices=("off", "work"), required=True)
    add.add_argument("--note")
    _scope(add)
    add.set_defaults(func=run_day_add)
    rm = dsub.add_parser("remove", help="forget a recorded day")
    rm.add_argument("day", type=_date)
    _scope(rm)
    rm.set_defaults(func=run_day_remove)
    lst = dsub.add_parser("list", help="public holidays and recorded days of a year")
    lst.add_argument("--year", type=int, default=date.today().year)
    lst.add_argument("--commune")
    lst.set_defaults(func=run_day_list)

    st = csub.add_parser("settings", help="show or change the commune's complaint settings")
    st.add_argument("--commune")
    st.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=JSON",
        help='e.g. tickets_per_day=5, deadlines=\'{"attitude": {"answer_days": 3}}\'',
    )
    st.add_argument("--unset", action="append", default=[], metavar="KEY")
    st.set_defaults(func=run_settings)


def _period(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="start", type=_date, required=True, help="first day")
    p.add_argument("--to", dest="end", type=_date, required=True, help="last day (inclusive)")
    p.add_argument("--commune", help="commune slug (default: the default commune)")


def _scope(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("--commune")
    group.add_argument("--all", action="store_true", help="for every commune")


def _date(text: str) -> date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"not a date: {text!r} (use 2026-01-31 or 31/01/2026)")


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[first day 00:00, day after the last 00:00) in the commune time zone."""
    if end < start:
        raise CommandError("--to is before --from")
    tz = ZoneInfo(TIMEZONE)
    return (
        datetime.combine(start, time(0), tz),
        datetime.combine(end + timedelta(days=1), time(0), tz),
    )


# --- export ---------------------------------------------------------------------------------


def run_export(args: argparse.Namespace) -> int:
    return asyncio.run(_export(args))


async def _export(args: argparse.Namespace) -> int:
    start, end = period_bounds(args.start, args.end)
    async with open_database() as db:
        commune = await commune_profile(db, args.commune)
        async with db.read() as session:
            data = await export.ticket_rows(
                session,
                commune.id,
                start,
                end,
                reveal_contacts=args.reveal_contacts,
                now=utcnow(),
            )
    output: Path = args.output or Path(
        f"phan-anh-{commune.slug}-{args.start:%Y%m%d}-{args.end:%Y%m%d}.{args.format}"
    )
    export.write(data, output, args.format)
    if args.reveal_contacts:
        print("motcua: this file holds personal data; keep it safe.", file=sys.stderr)
    print(f"{output}: {len(data.rows)} tickets")
    return 0


# --- report ---------------------------------------------------------------------------------


def run_report(args: argparse.Namespace) -> int:
    return asyncio.run(_report(args))


async def _report(args: argparse.Namespace) -> int:
    start, end = period_bounds(args.start, args.end)
    async with open_database() as db:
        commune = await commune_profile(db, args.commune)
        async with db.read() as session:
            figures = await service.on_time_rate(session, commune.id, start, end)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return 0
    print(f"{commune.name}: {args.start:%d/%m/%Y} - {args.end:%d/%m/%Y}")
    print(
        f"{'category':<30} {'received':>8} {'due':>5} {'on time':>8} {'late':>5} {'open':>5}  rate"
    )
    rows = [(c.label, figures["by_category"][c.key]) for c in CATEGORIES.values()]
    rows.append(("Tổng", figures["overall"]))
    for label, f in rows:
        rate = "-" if f["rate"] is None else f"{f['rate']:.1%}"
        counts = (f["received"], f["due"], f["on_time"], f["overdue"], f["pending"])
        print(f"{label:<30} " + " ".join(f"{n:>8}" for n in counts) + f"  {rate}")
    return 0


# --- calendar -------------------------------------------------------------------------------


def run_day_add(args: argparse.Namespace) -> int:
    async def go() -> None:
        async with open_database() as db:
            commune_id = None if args.all else (await commune_profile(db, args.commune)).id
            async with db.transaction() as session:
                await service.set_calendar_day(
                    session,
                    commune_id,
                    args.day,
                    args.kind,
                    note=args.note,
                    created_by="cli",
                    now=utcnow(),
                )

    asyncio.run(go())
    kind = "day off" if args.kind == "off" else "working day"
    print(f"{args.day:%Y-%m-%d} recorded as a {kind}{' for every commune' if args.all else ''}")
    return 0


def run_day_remove(args: argparse.Namespace) -> int:
    async def go() -> bool:
        async with open_database() as db:
            commune_id = None if args.all else (await commune_profile(db, args.commune)).id
            async with db.transaction() as session:
                return await service.remove_calendar_day(session, commune_id, args.day)

    if not asyncio.run(go()):
        raise CommandError(f"{args.day:%Y-%m-%d} was not recorded")
    print(f"{args.day:%Y-%m-%d} removed")
    return 0


def run_day_list(args: argparse.Namespace) -> int:
    async def go() -> list[tuple[date, str]]:
        async with open_database() as db:
            commune = await commune_profile(db, args.commune)
            async with db.read() as session:
                rules = await service.rules_for(session, commune.id, commune.settings)
                rows = await service.calendar_days(session, commune.id, args.year)
        entries: dict[date, str] = {}
        current = date(args.year, 1, 1)
        while current.year == args.year:
            name = rules.calendar.holiday_name(current)
            if name:
                entries[current] = f"holiday: {name}"
            current += timedelta(days=1)
        for row in rows:
            scope = "all communes" if row.commune_id is None else "this commune"
            what = "day off" if row.kind == "off" else "working day"
            entries[row.day] = f"{what} ({scope}){': ' + row.note if row.note else ''}"
        return sorted(entries.items())

    for day, what in asyncio.run(go()):
        print(f"{day:%Y-%m-%d} {day:%a}  {what}")
    return 0


# --- settings -------------------------------------------------------------------------------


def run_settings(args: argparse.Namespace) -> int:
    return asyncio.run(_settings(args))


async def _settings(args: argparse.Namespace) -> int:
    async with open_database() as db:
        commune = await commune_profile(db, args.commune)
        async with db.transaction() as session:
            row = (
                await session.execute(select(Commune).where(Commune.id == commune.id))
            ).scalar_one()
            all_settings: dict[str, Any] = dict(row.settings or {})
            raw: dict[str, Any] = dict(all_settings.get(complaint_config.SETTINGS_KEY) or {})
            for item in args.set:
                key, sep, value = item.partition("=")
                if not sep or not key.strip():
                    raise CommandError(f"--set takes KEY=JSON, got {item!r}")
                try:
                    raw[key.strip()] = json.loads(value)
                except json.JSONDecodeError:
                    raw[key.strip()] = value
            for key in args.unset:
                raw.pop(key, None)
            try:
                effective = complaint_config.parse(raw)
            except ValueError as exc:
                raise CommandError(f"settings refused, nothing was changed: {exc}") from exc
            if args.set or args.unset:
                all_settings[complaint_config.SETTINGS_KEY] = raw
                # Units' chats are staff chats: their members' buttons must get through.
                all_settings[EXTRA_STAFF_CHATS] = sorted(
                    {tuple(chat) for unit in effective.units.values() for chat in unit.chats}
                )
                row.settings = all_settings
    print(json.dumps(effective.model_dump(mode="json"), ensure_ascii=False, indent=2))
    if args.set or args.unset:
        print("motcua: saved; restart the bot to apply", file=sys.stderr)
    return 0
