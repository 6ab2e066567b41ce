"""``motcua ask`` (what the bot would answer) and ``motcua eval`` (matcher quality).

``ask`` runs the real conversation handlers against a throwaway database, so what it
prints is exactly what a resident would read, buttons included.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from bot.app import build_runtime
from bot.channels.webchat import WebChat
from bot.cli import CommandError
from bot.config import Settings
from bot.types import Reply
from knowledge.catalogue import build_catalogue
from knowledge.evaluation import evaluate_file
from knowledge.importers import CatalogueImportError
from knowledge.models import Catalogue
from knowledge.search import Matcher, load_synonyms


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("ask", help="print the answer the bot would give to a message")
    p.add_argument("text", help="the resident's message, in quotes")
    p.add_argument(
        "--catalogue",
        action="append",
        type=Path,
        default=[],
        metavar="PATH",
        help="also search this catalogue file (repeatable)",
    )
    p.add_argument(
        "--all-levels",
        action="store_true",
        help="keep procedures of every level from imported files",
    )
    p.add_argument(
        "--json", action="store_true", help="decision, intent, aspect and ranked matches as JSON"
    )
    p.set_defaults(func=run_ask)

    e = sub.add_parser("eval", help="measure the matcher on a labelled JSONL file")
    e.add_argument("file", type=Path, help="labelled messages (format of dev_questions.jsonl)")
    e.add_argument(
        "--catalogue",
        action="append",
        type=Path,
        default=[],
        metavar="PATH",
        help="also search this catalogue file (repeatable)",
    )
    e.add_argument(
        "--all-levels",
        action="store_true",
        help="keep procedures of every level from imported files",
    )
    e.add_argument("--json", action="store_true", help="print the report as JSON")
    e.add_argument(
        "--predictions", type=Path, metavar="OUT.jsonl", help="write one prediction per message"
    )
    e.add_argument(
        "--failures", action="store_true", help="list the messages the matcher got wrong"
    )
    e.set_defaults(func=run_eval)


def load_catalogue(paths: list[Path], all_levels: bool) -> Catalogue:
    try:
        catalogue, _reports = build_catalogue(paths, all_levels=all_levels)
    except CatalogueImportError as exc:
        raise CommandError(str(exc)) from exc
    except FileNotFoundError as exc:
        raise CommandError(f"no such file: {exc.filename}") from exc
    return catalogue


def run_ask(args: argparse.Namespace) -> int:
    catalogue = load_catalogue(args.catalogue, args.all_levels)
    replies, result = asyncio.run(_ask(args.text, catalogue))
    if args.json:
        print(
            json.dumps(
                {**result, "replies": [r.to_json() for r in replies]}, ensure_ascii=False, indent=2
            )
        )
        return 0
    for reply in replies:
        print(reply.text)
        for button in reply.buttons:
            print(f"  [{button.label}]" + (f" {button.url}" if button.url else ""))
        print()
    return 0


async def _ask(text: str, catalogue: Catalogue) -> tuple[list[Reply], dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="motcua-ask-") as tmp:
        settings = Settings().model_copy(update={"data_dir": Path(tmp), "database_url": None})
        runtime = build_runtime(settings, base_catalogue=catalogue)
        await runtime.start(workers=False)
        try:
            commune = runtime.communes.by_slug(settings.commune_slug)
            assert commune is not None
            knowledge = await runtime.knowledge.for_commune(commune)
            search = knowledge.matcher.search(text)
            msg = WebChat().parse({"session": "cli-ask-session", "text": text, "id": "1"})[0]
            replies = await runtime.processor.handle(commune, msg)
        finally:
            await runtime.stop()
    result = {
        "text": text,
        "decision": search.decision,
        "intent": search.intent,
        "aspect": search.aspect,
        "matches": [
            {"code": m.code, "name": m.procedure.name, "score": round(m.score, 1)}
            for m in search.matches
        ],
    }
    return replies, result


def run_eval(args: argparse.Namespace) -> int:
    if not args.file.exists():
        raise CommandError(f"no such file: {args.file}")
    catalogue = load_catalogue(args.catalogue, args.all_levels)
    matcher = Matcher(catalogue, load_synonyms())
    try:
        report = evaluate_file(matcher, args.file)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    if args.predictions:
        with args.predictions.open("w", encoding="utf-8") as out:
            for prediction in report.predictions:
                out.write(json.dumps(prediction.to_json(), ensure_ascii=False) + "\n")
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(f"catalogue: {len(catalogue)} procedures")
        print(report.format_table())
        if args.failures:
            print(report.format_failures())
    sys.stdout.flush()
    return 0
