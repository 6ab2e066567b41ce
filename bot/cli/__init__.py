"""``motcua``: the command line. Each command group lives in its own module with a
``register(subparsers)`` function; this module only assembles them."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bot.config import CommuneFileError

GROUPS = (
    "bot.cli.serve",
    "bot.cli.work",
    "bot.cli.ask",
    "bot.cli.catalogue",
    "bot.cli.bench",
    "bot.cli.telegram",
    "bot.cli.zalo",
    "bot.cli.db",
    "bot.cli.backup",
    "bot.cli.doctor",
    "bot.cli.complaints",
    "bot.cli.surveys",
    "bot.cli.staff",
    "bot.cli.privacy",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="motcua",
        description="One-stop-shop assistant for Vietnamese communes.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in GROUPS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=getattr(args, "log_level", None) or logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        result: int = args.func(args)
    except CommandError as exc:
        print(f"motcua: {exc}", file=sys.stderr)
        return 2
    except CommuneFileError as exc:
        print(f"motcua: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        # A setting out of range is the operator's to fix: name it, not a traceback.
        # The messages never quote the value, which may be a token.
        print("motcua: the configuration is not valid:", file=sys.stderr)
        for error in exc.errors():
            print(f"  {_setting(exc.title, error['loc'])}: {error['msg']}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return result


def _setting(model: str, loc: tuple[int | str, ...]) -> str:
    """The name the operator wrote: MOTCUA_X for the environment's settings."""
    if model == "Settings" and len(loc) == 1:
        return f"MOTCUA_{str(loc[0]).upper()}"
    return ".".join(str(part) for part in loc)


class CommandError(Exception):
    """A problem the user can fix; printed without a traceback."""


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
