"""``motcua visits add|import|counter-qr``, ``motcua surveys export|index|verify|target``
and ``motcua report``: satisfaction surveys from the command line.

``motcua bench reports`` (the 1,000,000-answer benchmark) is registered on the ``bench``
group by :func:`register_reports`.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from bot.app import ensure_secret_key
from bot.cli import CommandError
from bot.cli.common import commune_profile, open_database
from bot.communes import CommuneProfile
from bot.config import Settings
from bot.db.base import utcnow
from bot.db.engine import Database
from bot.db.models import Commune
from bot.knowledge_base import effective_catalogue
from surveys import chain, export, importer, links, report, service, tokens
from surveys import index as satisfaction
from surveys.instrument import IN_PERSON, ONLINE, default_book
from surveys.models import Invitation
from surveys.periods import LOCAL, between, parse_period

if TYPE_CHECKING:
    Sub = argparse._SubParsersAction[argparse.ArgumentParser]


def register(sub: Sub) -> None:
    visits = sub.add_parser("visits", help="record visits and print their survey invitations")
    vsub = visits.add_subparsers(dest="visits_command", required=True, metavar="ACTION")
    add = vsub.add_parser("add", help="record one visit; prints the typed code and the link")
    add.add_argument("--procedure", required=True, help="national procedure code, e.g. 1.001193")
    add.add_argument("--dossier", help="dossier code in the one-stop software")
    add.add_argument("--counter", help="counter (quầy)")
    add.add_argument("--officer", help="officer who handled it")
    add.add_argument("--online", action="store_true", help="the dossier was submitted online")
    add.add_argument("--time", help="when (local time, default now), e.g. '2026-07-15 08:30'")
    add.add_argument("--chat", help="push the invitation to this chat, e.g. telegram:123456")
    add.add_argument("--qr", type=Path, help="write the QR code to this PNG file")
    add.add_argument("--commune")
    add.set_defaults(func=run_visit_add)

    imp = vsub.add_parser("import", help="import the one-stop software's list (CSV or XLSX)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--out", type=Path, help="write the invitations (code, link) to this CSV")
    imp.add_argument("--commune")
    imp.set_defaults(func=run_visit_import)

    qr = vsub.add_parser("counter-qr", help="a standing QR code for a counter (lower evidence)")
    qr.add_argument("--counter", required=True)
    qr.add_argument("--qr", type=Path, help="write the QR code to this PNG file")
    qr.add_argument("--commune")
    qr.set_defaults(func=run_counter_qr)

    surveys = sub.add_parser("surveys", help="survey answers: export, index, verify, targets")
    ssub = surveys.add_subparsers(dest="surveys_command", required=True, metavar="ACTION")
    exp = ssub.add_parser("export", help="raw answers as CSV or XLSX (formula-safe)")
    exp.add_argument("--from", dest="start", required=True, type=date.fromisoformat)
    exp.add_argument("--to", dest="end", required=True, type=date.fromisoformat)
    exp.add_argument("--format", choices=("csv", "xlsx"), default="xlsx")
    exp.add_argument("--output", type=Path)
    exp.add_argument("--commune", help="one commune (default: all)")
    exp.add_argument("--comments", action="store_true", help="include free-text comments")
    exp.set_defaults(func=run_export)

    idx = ssub.add_parser("index", help="the satisfaction figures behind the report")
    idx.add_argument("--period", required=True, help="2026-07, 2026-Q3, 2026-H1, 2026-9M, 2026")
    idx.add_argument("--commune", help="one commune (default: the default commune)")
    idx.add_argument("--all", action="store_true", help="every commune side by side")
    idx.add_argument("--json", action="store_true")
    idx.set_defaults(func=run_index)

    ver = ssub.add_parser("verify", help="check the hash chain of answers")
    ver.add_argument("--commune")
    ver.add_argument("--json", action="store_true")
    ver.set_defaults(func=run_verify)

    tgt = ssub.add_parser("target", help="set a target for a year")
    tgt.add_argument("--year", type=int, required=True)
    tgt.add_argument("--indicator", required=True, choices=sorted(satisfaction.INDICATORS))
    tgt.add_argument("--value", type=float, required=True, help="0.95 or 95 for 95%%")
    tgt.add_argument("--commune", help="one commune (default: every commune)")
    tgt.set_defaults(func=run_target)

    rep = sub.add_parser("report", help="the satisfaction report for a period (XLSX or PDF)")
    rep.add_argument("--period", required=True, help="2026-Q3, 2026-07, 2026-6M, 2026-9M, 2026")
    rep.add_argument("--format", choices=("xlsx", "pdf"), default="pdf")
    rep.add_argument("--output", type=Path)
    rep.add_argument("--commune")
    rep.set_defaults(func=run_report)


def register_reports(bench: Sub) -> None:
    """``motcua bench reports``: index and export timings on 1,000,000 generated answers."""
    from surveys import bench as survey_bench

    survey_bench.register(bench)


# --- helpers ----------------------------------------------------------------------------------


def _settings() -> Settings:
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    ensure_secret_key(settings)
    return settings


def _services(settings: Settings) -> service.Services:
    assert settings.secret_key is not None
    usernames = {
        c.slug: c.telegram.bot_username for c in settings.communes() if c.telegram.bot_username
    }
    return service.Services(settings.secret_key.get_secret_value(), default_book(), usernames)


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return importer.parse_time(text)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


def _describe(
    deps: service.Services, commune: CommuneProfile, invitation: Invitation
) -> dict[str, str]:
    token = service.token_for(deps.secret, invitation)
    return {
        "code": tokens.format_code(invitation.code),
        "token": token,
        "link": deps.link(commune.slug, invitation) or "",
        "expires": invitation.expires_at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M"),
    }


def _print_invitation(info: dict[str, str], qr: Path | None) -> None:
    print(f"typed code: {info['code']}")
    if info["link"]:
        print(f"link:       {info['link']}")
    else:
        print(f"token:      {info['token']}  (set the commune's Telegram bot username for a link)")
    print(f"expires:    {info['expires']}")
    if qr is not None:
        links.qr_png(info["link"] or info["token"], qr)
        print(f"QR code:    {qr}")


# --- visits -------------------------------------------------------------------------------------


def run_visit_add(args: argparse.Namespace) -> int:
    resident = None
    if args.chat:
        channel, _, user = args.chat.partition(":")
        if channel not in importer.CHANNELS or not user:
            raise CommandError("--chat looks like telegram:123456")
        resident = service.Resident(channel, user, user)
    occurred = _parse_time(args.time)

    async def go() -> dict[str, str]:
        settings = _settings()
        deps = _services(settings)
        async with open_database(settings) as db:
            commune = await commune_profile(db, args.commune)
            async with db.transaction() as session:
                catalogue = await effective_catalogue(session, commune)
                procedure = catalogue.get(args.procedure)
                if procedure is None:
                    print(
                        f"note: {args.procedure} is not in the commune's catalogue", file=sys.stderr
                    )
                field_name = procedure.field if procedure else ""
                _visit, invitation, created = await service.record_visit(
                    session,
                    commune_id=commune.id,
                    now=utcnow(),
                    options=service.SurveySettings.from_commune(commune.settings),
                    procedure_code=args.procedure,
                    field_name=field_name,
                    field_group=deps.book.field_group(field_name),
                    dossier_code=args.dossier,
                    counter=args.counter,
                    officer=args.officer,
                    mode=ONLINE if args.online else IN_PERSON,
                    occurred_at=occurred,
                    source="cli",
                    resident=resident,
                )
                if not created:
                    print("this visit was already recorded; its invitation:")
                return _describe(deps, commune, invitation)

    _print_invitation(asyncio.run(go()), args.qr)
    return 0


def run_visit_import(args: argparse.Namespace) -> int:
    if not args.file.exists():
        raise CommandError(f"no such file: {args.file}")

    async def go() -> tuple[importer.ImportReport, list[dict[str, str]]]:
        settings = _settings()
        deps = _services(settings)
        async with open_database(settings) as db:
            commune = await commune_profile(db, args.commune)
            async with db.transaction() as session:
                catalogue = await effective_catalogue(session, commune)
                try:
                    result = await importer.import_visits(
                        session,
                        args.file,
                        commune_id=commune.id,
                        now=utcnow(),
                        options=service.SurveySettings.from_commune(commune.settings),
                        catalogue=catalogue,
                        book=deps.book,
                    )
                except importer.VisitListError as exc:
                    raise CommandError(str(exc)) from exc
                described = [
                    {"dossier": row.dossier or "", **_describe(deps, commune, invitation)}
                    for row, invitation in result.created
                ]
        return result, described

    result, described = asyncio.run(go())
    print(
        f"{len(result.created)} visits recorded, {result.existing} already there, "
        f"{result.pushable} will get the invitation by chat, {len(result.errors)} rows refused"
    )
    for line, problem in result.errors:
        print(f"  line {line}: {problem}")
    if args.out is not None:
        with args.out.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, ["dossier", "code", "link", "token", "expires"])
            writer.writeheader()
            for row in described:
                writer.writerow({k: export.safe_cell(v) for k, v in row.items()})
        print(f"invitations written to {args.out}")
    return 1 if result.errors and not result.created else 0


def run_counter_qr(args: argparse.Namespace) -> int:
    async def go() -> dict[str, str]:
        settings = _settings()
        deps = _services(settings)
        async with open_database(settings) as db:
            commune = await commune_profile(db, args.commune)
            async with db.transaction() as session:
                invitation = await service.counter_invitation(
                    session,
                    commune_id=commune.id,
                    counter=args.counter,
                    now=utcnow(),
                    options=service.SurveySettings.from_commune(commune.settings),
                )
                return _describe(deps, commune, invitation)

    _print_invitation(asyncio.run(go()), args.qr)
    return 0


# --- answers ------------------------------------------------------------------------------------


async def _commune_ids(db: Database, slug: str | None) -> list[int] | None:
    if slug is None:
        return None
    return [(await commune_profile(db, slug)).id]


def run_export(args: argparse.Namespace) -> int:
    if args.end < args.start:
        raise CommandError("--to is before --from")
    period = between(args.start, args.end)
    output = args.output or Path(f"phieu-danh-gia-{args.start}-{args.end}.{args.format}")

    async def go() -> int:
        async with open_database(_settings()) as db:
            ids = await _commune_ids(db, args.commune)
            start, end = period.utc_bounds()
            async with db.read() as session:
                return await export.export(
                    session,
                    output,
                    start,
                    end,
                    fmt=args.format,
                    commune_ids=ids,
                    with_comments=args.comments,
                )

    count = asyncio.run(go())
    print(f"{count} answers written to {output}")
    return 0


def run_index(args: argparse.Namespace) -> int:
    try:
        period = parse_period(args.period)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc

    async def go() -> dict[str, Any]:
        async with open_database(_settings()) as db:
            if args.all:
                async with db.read() as session:
                    rows = await session.execute(select(Commune.id, Commune.slug))
                    slugs = {row[0]: row[1] for row in rows}
                    figures = await satisfaction.all_communes(session, period)
                return {
                    "period": period.label,
                    "communes": {
                        slugs.get(cid, str(cid)): {k: f.to_json() for k, f in per.items()}
                        for cid, per in figures.items()
                    },
                }
            commune = await commune_profile(db, args.commune)
            async with db.read() as session:
                index = await satisfaction.commune_index(session, commune.id, period)
            return {"commune": commune.slug, **index.to_json()}

    data = asyncio.run(go())
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    if args.all:
        for slug, per in data["communes"].items():
            print(slug)
            _print_targets(per)
        return 0
    print(f"{data['commune']} {data['period']}: {data['answers']} answers")
    _print_targets(data["targets"])
    return 0


def _print_targets(figures: dict[str, dict[str, Any]]) -> None:
    for key, f in figures.items():
        rate = report.pct(f["rate"])
        ci = (
            f"[{report.pct(f['ci_low'])} - {report.pct(f['ci_high'])}]"
            if f["ci_low"] is not None
            else ""
        )
        print(
            f"  {key:30} n={f['answers']:<6} {rate:>7} {ci:24} target {report.pct(f['target'])}"
            f"  {f['verdict']:9} need +{f['answers_needed']}"
        )


def run_verify(args: argparse.Namespace) -> int:
    async def go() -> chain.Verification:
        async with open_database(_settings()) as db:
            ids = await _commune_ids(db, args.commune)
            async with db.read() as session:
                return await chain.verify(session, ids)

    result = asyncio.run(go())
    if args.json:
        print(
            json.dumps(
                {
                    "ok": result.ok,
                    "checked": result.checked,
                    "breaks": [b.to_json() for b in result.breaks],
                },
                ensure_ascii=False,
            )
        )
    elif result.ok:
        print(f"hash chain intact: {result.checked} answers checked")
    else:
        for problem in result.breaks:
            print(
                f"BROKEN: commune {problem.commune_id}, link {problem.position}, "
                f"answer {problem.response_id}: {problem.reason}"
            )
    return 0 if result.ok else 1


def run_target(args: argparse.Namespace) -> int:
    value = args.value / 100 if args.value > 1 else args.value

    async def go() -> None:
        async with open_database(_settings()) as db:
            ids = await _commune_ids(db, args.commune)
            async with db.transaction() as session:
                await satisfaction.set_target(
                    session, ids[0] if ids else None, args.year, args.indicator, value
                )

    try:
        asyncio.run(go())
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    where = args.commune or "every commune"
    print(f"target {args.indicator} {args.year} for {where}: {value:.1%}")
    return 0


def run_report(args: argparse.Namespace) -> int:
    try:
        period = parse_period(args.period)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc

    async def go() -> tuple[report.ReportData, str]:
        async with open_database(_settings()) as db:
            commune = await commune_profile(db, args.commune)
            async with db.read() as session:
                data = await report.gather(
                    session,
                    commune_id=commune.id,
                    commune_name=commune.name,
                    period=period,
                    now=utcnow(),
                )
            return data, commune.slug

    data, slug = asyncio.run(go())
    output = args.output or Path(f"bao-cao-hai-long-{slug}-{period.label}.{args.format}")
    try:
        report.write(data, output, args.format)
    except FileNotFoundError as exc:
        raise CommandError(str(exc)) from exc
    print(f"report written to {output}")
    return 0
