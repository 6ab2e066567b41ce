"""A throwaway PostgreSQL server for the test suite.

Uses the ``initdb``/``pg_ctl`` binaries of the machine (scripts/install-test-deps installs
Debian's ``postgresql`` when they are missing). ``initdb`` refuses to run as root, so as
root the server runs as the ``postgres`` system user (created if absent). The cluster
lives in a temporary directory with durability switched off: tests need speed, not
crash safety. Set MOTCUA_TEST_DATABASE_URL to use an existing server instead.
"""

from __future__ import annotations

import asyncio
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg

SERVER_USER = "postgres"
DB_USER = "motcua"
DB_NAME = "motcua_test"


class PostgresUnavailable(RuntimeError):
    pass


def find_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    data_dir: Path
    port: int
    pg_ctl: str
    run_as: pwd.struct_passwd | None
    options: str

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://{DB_USER}@127.0.0.1:{self.port}/{DB_NAME}"

    def shut_down(self) -> None:
        """Stop the server as an administrator restarting it would: every session ends."""
        _run([self.pg_ctl, "-D", str(self.data_dir), "-m", "fast", "-w", "stop"], self.run_as)

    def start_again(self) -> None:
        """Start the server again on the same port and data, after ``shut_down``."""
        _pg_ctl_start(self.pg_ctl, self.data_dir, self.options, self.run_as)

    def stop(self) -> None:
        _run(
            [self.pg_ctl, "-D", str(self.data_dir), "-m", "immediate", "stop"],
            self.run_as,
            check=False,
        )
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)


def _run(
    cmd: list[str], user: pwd.struct_passwd | None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    kwargs: dict[str, object] = {}
    if user is not None:
        kwargs.update(user=user.pw_uid, group=user.pw_gid, extra_groups=[], cwd="/")
    env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, **kwargs)  # type: ignore[call-overload]
    if check and result.returncode != 0:
        raise PostgresUnavailable(f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}")
    return result  # type: ignore[no-any-return]


def _server_user() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SERVER_USER,
            ],
            check=True,
        )
        return pwd.getpwnam(SERVER_USER)


def start() -> PostgresServer:
    initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
    if not initdb or not pg_ctl:
        raise PostgresUnavailable("initdb/pg_ctl not found (run scripts/install-test-deps)")
    user = _server_user()
    root = Path(tempfile.mkdtemp(prefix="motcua-pg-"))
    data = root / "data"
    data.mkdir()
    socket_dir = root / "sock"
    socket_dir.mkdir()
    if user is not None:
        for path in (root, data, socket_dir):
            os.chown(path, user.pw_uid, user.pw_gid)
    _run(
        [initdb, "-D", str(data), "-U", DB_USER, "--auth=trust", "-E", "UTF8", "--no-locale"], user
    )
    port = _free_port()
    options = (
        f"-p {port} -k {socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    _pg_ctl_start(pg_ctl, data, options, user)
    server = PostgresServer(data, port, pg_ctl, user, options)
    try:
        _create_database(port)
    except Exception:
        server.stop()
        raise
    return server


def _pg_ctl_start(pg_ctl: str, data: Path, options: str, user: pwd.struct_passwd | None) -> None:
    log = data.parent / "server.log"
    _run([pg_ctl, "-D", str(data), "-o", options, "-l", str(log), "-w", "-t", "60", "start"], user)


def _create_database(port: int) -> None:
    async def create() -> None:
        conn = await asyncpg.connect(host="127.0.0.1", port=port, user=DB_USER, database="postgres")
        try:
            await conn.execute(f"CREATE DATABASE {DB_NAME}")
        finally:
            await conn.close()

    deadline = time.monotonic() + 30
    while True:
        try:
            asyncio.run(create())
            return
        except (OSError, asyncpg.PostgresError) as exc:
            if time.monotonic() > deadline:
                raise PostgresUnavailable(f"could not create the test database: {exc}") from exc
            time.sleep(0.3)
