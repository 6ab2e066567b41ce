"""``motcua staff add|list|passwd``: staff web accounts from the command line.

``staff add`` is how the first administrator is created: the password is prompted (or
read from standard input with ``--password-stdin``), never given as an argument where
the shell history and the process list would keep it.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from bot.cli import CommandError
from bot.cli.common import commune_profile, open_database
from bot.db.base import utcnow
from staff import accounts, audit
from staff.roles import ROLE_LABELS, Role


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("staff", help="staff web accounts")
    ssub = p.add_subparsers(dest="staff_command", required=True, metavar="ACTION")

    add = ssub.add_parser("add", help="create an account (the first admin, for instance)")
    add.add_argument("username")
    add.add_argument("--commune", help="commune slug (default: the default commune)")
    add.add_argument(
        "--role",
        required=True,
        choices=[r.value for r in Role],
        help="; ".join(f"{r.value}: {label}" for r, label in ROLE_LABELS.items()),
    )
    add.add_argument("--name", help="the person's name as shown to colleagues")
    add.add_argument("--chat", help="where complaint reminders reach them, e.g. telegram:123456")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    add.set_defaults(func=run_add)

    lst = ssub.add_parser("list", help="list accounts")
    lst.add_argument("--commune")
    lst.set_defaults(func=run_list)

    pw = ssub.add_parser("passwd", help="set a new password (ends the account's sessions)")
    pw.add_argument("username")
    pw.add_argument("--password-stdin", action="store_true")
    pw.set_defaults(func=run_passwd)


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise CommandError("the two passwords differ")
    return first


def run_add(args: argparse.Namespace) -> int:
    password = read_password(args.password_stdin)

    async def go() -> str:
        async with open_database() as db:
            commune_id = None
            if args.role != Role.PROVINCE_ADMIN:
                commune_id = (await commune_profile(db, args.commune)).id
            async with db.transaction() as session:
                now = utcnow()
                try:
                    account = await accounts.create(
                        session,
                        username=args.username,
                        password=password,
                        role=args.role,
                        commune_id=commune_id,
                        display_name=args.name,
                        chat_ref=args.chat,
                        now=now,
                    )
                except accounts.AccountError as exc:
                    raise CommandError(str(exc)) from None
                audit.record(
                    session,
                    action="account_create",
                    username="cli",
                    account_id=None,
                    commune_id=commune_id,
                    now=now,
                    target=account.username,
                    detail={"role": args.role},
                )
                return account.username

    name = asyncio.run(go())
    print(f"account {name} created ({args.role}); sign in at /staff/")
    return 0


def run_list(args: argparse.Namespace) -> int:
    async def go() -> list[tuple[str, str, str, bool, bool]]:
        async with open_database() as db:
            commune_id = (await commune_profile(db, args.commune)).id if args.commune else None
            async with db.read() as session:
                rows = await accounts.in_commune(session, commune_id)
                return [
                    (a.username, a.role, a.display_name, a.active, a.totp_enabled) for a in rows
                ]

    rows = asyncio.run(go())
    for username, role, name, active, totp in rows:
        flags = ("" if active else " (disabled)") + (" [2FA]" if totp else "")
        print(f"{username:<24} {role:<18} {name}{flags}")
    print(f"{len(rows)} accounts")
    return 0


def run_passwd(args: argparse.Namespace) -> int:
    password = read_password(args.password_stdin)

    async def go() -> None:
        async with open_database() as db, db.transaction() as session:
            account = await accounts.by_username(session, args.username)
            if account is None:
                raise CommandError(f"no account {args.username}")
            try:
                await accounts.set_password(session, account, password, now=utcnow())
            except accounts.AccountError as exc:
                raise CommandError(str(exc)) from None

    asyncio.run(go())
    print("password changed; the account's sessions were ended")
    return 0
