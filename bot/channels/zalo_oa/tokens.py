"""The OA's access token, refreshed before it expires from the single-use refresh token.

How a refresh stays safe:
- One refresher at a time: a process claims the token row with a short lease (a
  compare-and-set in a transaction, so it works the same on SQLite and PostgreSQL);
  others wait for the lease to end and then find the fresh token already stored.
- No lost refresh token: the new pair replaces the old one in one UPDATE that only
  matches while the old refresh token is still the stored one. Before that UPDATE, the
  new pair is written to a journal file in the data directory (0600, fsynced); if the
  process dies between receiving the pair from Zalo and committing it, the next start
  (``recover``) applies the journal. What the platform does not let us protect against:
  a crash before the journal write (a few microseconds after Zalo answers), or an
  answer lost on the network after Zalo already burned the old refresh token. Then the
  current access token keeps working until it expires (about 25 hours) and staff are
  alerted to run ``motcua zalo authorize`` again.
- A failed refresh keeps the old access token in use while it is valid, is retried by
  the next sweep, and alerts staff (at most every few hours).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.channels.zalo_oa.models import ZaloOAToken
from bot.channels.zalo_oa.oauth import OAuthClient, OAuthError, TokenPair
from bot.db.base import utcnow
from bot.db.engine import Database
from bot.delivery import TransientError

log = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(hours=3)  # refresh this long before the access token expires
LEASE = timedelta(seconds=60)  # a refresher that died frees the row after this
ALERT_EVERY = timedelta(hours=6)

Alert = Callable[
    [str, str, datetime | None], Awaitable[None]
]  # (commune slug, reason, valid until)
CrashPoint = Callable[[], Awaitable[None]]


class NotAuthorized(Exception):
    """No tokens for this OA yet: an admin must run ``motcua zalo authorize``."""


class RefreshFailed(Exception):
    """Zalo did not give new tokens. The old access token stays in use while valid."""


class TokenUnavailable(TransientError):
    """No valid access token right now (refresh failing and the old one expired)."""


@dataclass(frozen=True)
class TokenStatus:
    """What an admin may see: dates and errors, never the tokens."""

    has_access_token: bool
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None
    obtained_at: datetime
    failures: int
    last_error: str | None
    last_error_at: datetime | None
    refreshing: bool


def fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenStore:
    """The tokens of one commune's OA."""

    def __init__(
        self,
        db: Database,
        commune_id: int,
        commune_slug: str,
        oauth: OAuthClient,
        journal_dir: Path,
        *,
        clock: Callable[[], datetime] = utcnow,
        alert: Alert | None = None,
        margin: timedelta = REFRESH_MARGIN,
        lease: timedelta = LEASE,
        wait_step: float = 0.05,
    ) -> None:
        self.db = db
        self.commune_id = commune_id
        self.slug = commune_slug
        self.oauth = oauth
        self.journal = journal_dir / f"{commune_slug}.refresh.json"
        self.clock = clock
        self.alert = alert
        self.margin = margin
        self.lease = lease
        self.wait_step = wait_step
        # Tests set this to simulate a crash between receiving and storing new tokens.
        self.crash_point: CrashPoint | None = None

    # --- using the token ------------------------------------------------------------

    async def access_token(self) -> str:
        """A valid access token; refreshes first only when there is none."""
        row = await self._read()
        if row is None:
            raise NotAuthorized(f"Zalo OA of {self.slug} is not authorized")
        if row.access_token and row.access_expires_at and row.access_expires_at > self.clock():
            # Inside the margin the sweep refreshes it; sending does not wait for that.
            return row.access_token
        try:
            await self.refresh()
        except RefreshFailed as exc:
            log.warning("zalo oa %s: refresh failed, using the current token: %s", self.slug, exc)
        return await self._valid_or_raise()

    async def after_rejection(self, rejected: str) -> str:
        """Zalo refused ``rejected``: refresh (unless another worker already did)."""
        try:
            await self.refresh(rejected=rejected)
        except RefreshFailed as exc:
            raise TokenUnavailable(
                f"zalo oa {self.slug}: token rejected, refresh failed: {exc}"
            ) from None
        token = await self._valid_or_raise()
        if token == rejected:
            raise TokenUnavailable(f"zalo oa {self.slug}: token rejected and not renewed")
        return token

    async def _valid_or_raise(self) -> str:
        row = await self._read()
        if row is None:
            raise NotAuthorized(f"Zalo OA of {self.slug} is not authorized")
        if row.access_token and row.access_expires_at and row.access_expires_at > self.clock():
            return row.access_token
        raise TokenUnavailable(f"zalo oa {self.slug}: no valid access token")

    # --- refreshing -------------------------------------------------------------------

    async def refresh(self, *, rejected: str | None = None, force: bool = False) -> bool:
        """Refresh if the token is missing, expiring, ``rejected`` or ``force``d.

        Returns True when this call obtained new tokens, False when they were still good
        or another process refreshed them meanwhile.
        """
        owner = uuid.uuid4().hex
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self.lease.total_seconds() + 5
        while True:
            claim = await self._claim(owner, rejected=rejected, force=force)
            if claim is None:
                return False
            if claim != "":
                old_refresh = claim
                break
            if loop.time() > give_up:
                raise RefreshFailed("another process holds the refresh lease")
            await asyncio.sleep(self.wait_step)
        try:
            pair = await self.oauth.refresh(old_refresh, self.clock())
        except OAuthError as exc:
            await self._failed(owner, str(exc))
            raise RefreshFailed(str(exc)) from None
        self._journal_write(old_refresh, pair)
        if self.crash_point is not None:
            await self.crash_point()
        await self._store(old_refresh, pair)
        self._journal_clear()
        log.info("zalo oa %s: access token refreshed", self.slug)
        return True

    async def _claim(self, owner: str, *, rejected: str | None, force: bool) -> str | None:
        """The refresh token to use, "" when another refresher holds the lease, None
        when no refresh is needed."""
        async with self.db.transaction() as session:
            row = (
                await session.execute(
                    select(ZaloOAToken)
                    .where(ZaloOAToken.commune_id == self.commune_id)
                    .with_for_update()
                )
            ).scalar_one_or_none()
            if row is None:
                raise NotAuthorized(f"Zalo OA of {self.slug} is not authorized")
            now = self.clock()
            needed = (
                force
                or not row.access_token
                or row.access_expires_at is None
                or row.access_expires_at - self.margin <= now
                or (rejected is not None and row.access_token == rejected)
            )
            if not needed:
                return None
            if row.lease_owner and row.lease_until and row.lease_until > now:
                return ""
            row.lease_owner, row.lease_until = owner, now + self.lease
            return row.refresh_token

    async def _store(self, old_refresh: str, pair: TokenPair) -> None:
        """Replace the old pair by the new one, in one statement."""
        now = self.clock()
        async with self.db.transaction() as session:
            result = await session.execute(
                update(ZaloOAToken)
                .where(
                    ZaloOAToken.commune_id == self.commune_id,
                    ZaloOAToken.refresh_token == old_refresh,
                )
                .values(**_pair_values(pair, now))
            )
        if getattr(result, "rowcount", 1) != 1:
            log.error("zalo oa %s: tokens changed during a refresh; the newer ones stay", self.slug)

    async def _failed(self, owner: str, reason: str) -> None:
        now = self.clock()
        alert = False
        valid_until: datetime | None = None
        async with self.db.transaction() as session:
            row = (
                await session.execute(
                    select(ZaloOAToken)
                    .where(ZaloOAToken.commune_id == self.commune_id)
                    .with_for_update()
                )
            ).scalar_one_or_none()
            if row is None:
                return
            row.failures = (row.failures or 0) + 1
            row.last_error, row.last_error_at = reason[:500], now
            if row.lease_owner == owner:
                row.lease_owner, row.lease_until = None, None
            if row.alerted_at is None or now - row.alerted_at >= ALERT_EVERY:
                row.alerted_at, alert = now, True
            valid_until = row.access_expires_at
        log.warning("zalo oa %s: token refresh failed: %s", self.slug, reason)
        if alert and self.alert is not None:
            try:
                await self.alert(self.slug, reason, valid_until)
            except Exception:
                log.exception("zalo oa %s: could not alert staff", self.slug)

    # --- setting tokens -----------------------------------------------------------------

    async def store_pair(self, pair: TokenPair) -> None:
        """Tokens from ``motcua zalo authorize``: they replace whatever was stored."""
        now = self.clock()
        values = {"commune_id": self.commune_id, **_pair_values(pair, now)}
        async with self.db.transaction() as session:
            dialect = session.bind.dialect.name if session.bind else "sqlite"
            insert = pg_insert if dialect == "postgresql" else sqlite_insert
            statement = insert(ZaloOAToken).values(**values)
            statement = statement.on_conflict_do_update(
                index_elements=["commune_id"],
                set_={k: v for k, v in values.items() if k != "commune_id"},
            )
            await session.execute(statement)
        self._journal_clear()

    async def seed(self, refresh_token: str) -> bool:
        """Store a configured initial refresh token, unless tokens are already stored.

        A refresh token is single use: once the first refresh has replaced it, the value
        in the configuration is stale and must not overwrite the stored one.
        """
        now = self.clock()
        async with self.db.transaction() as session:
            dialect = session.bind.dialect.name if session.bind else "sqlite"
            insert = pg_insert if dialect == "postgresql" else sqlite_insert
            statement = (
                insert(ZaloOAToken)
                .values(
                    commune_id=self.commune_id,
                    refresh_token=refresh_token,
                    obtained_at=now,
                    failures=0,
                    updated_at=now,
                )
                .on_conflict_do_nothing()
                .returning(ZaloOAToken.id)
            )
            return (await session.execute(statement)).scalar_one_or_none() is not None

    async def status(self) -> TokenStatus | None:
        row = await self._read()
        if row is None:
            return None
        now = self.clock()
        return TokenStatus(
            has_access_token=bool(row.access_token),
            access_expires_at=row.access_expires_at,
            refresh_expires_at=row.refresh_expires_at,
            obtained_at=row.obtained_at,
            failures=row.failures or 0,
            last_error=row.last_error,
            last_error_at=row.last_error_at,
            refreshing=bool(row.lease_owner and row.lease_until and row.lease_until > now),
        )

    async def _read(self) -> ZaloOAToken | None:
        async with self.db.read() as session:
            return (
                await session.execute(
                    select(ZaloOAToken).where(ZaloOAToken.commune_id == self.commune_id)
                )
            ).scalar_one_or_none()

    # --- the journal ----------------------------------------------------------------------

    def _journal_write(self, old_refresh: str, pair: TokenPair) -> None:
        data = {
            "commune": self.slug,
            "replaces": fingerprint(old_refresh),
            "access_token": pair.access_token,
            "refresh_token": pair.refresh_token,
            "access_expires_at": pair.access_expires_at.isoformat(),
            "refresh_expires_at": pair.refresh_expires_at.isoformat(),
        }
        try:
            self.journal.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            temporary = self.journal.with_suffix(".tmp")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(fd, json.dumps(data).encode())
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temporary, self.journal)
            _fsync_dir(self.journal.parent)
        except OSError as exc:
            # Storing in the database matters more; go on without the safety net.
            log.error("zalo oa %s: cannot write the token journal: %s", self.slug, exc)

    def _journal_clear(self) -> None:
        try:
            self.journal.unlink(missing_ok=True)
        except OSError as exc:
            log.error("zalo oa %s: cannot remove the token journal: %s", self.slug, exc)

    async def recover(self) -> bool:
        """Apply tokens received but not stored before a crash. True if applied."""
        if not self.journal.exists():
            return False
        try:
            data: dict[str, Any] = json.loads(self.journal.read_text(encoding="utf-8"))
            pair = TokenPair(
                str(data["access_token"]),
                str(data["refresh_token"]),
                datetime.fromisoformat(data["access_expires_at"]),
                datetime.fromisoformat(data["refresh_expires_at"]),
            )
            replaces = str(data["replaces"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.error("zalo oa %s: unreadable token journal ignored: %s", self.slug, exc)
            return False
        applied = False
        now = self.clock()
        async with self.db.transaction() as session:
            row = (
                await session.execute(
                    select(ZaloOAToken)
                    .where(ZaloOAToken.commune_id == self.commune_id)
                    .with_for_update()
                )
            ).scalar_one_or_none()
            if row is not None and fingerprint(row.refresh_token) == replaces:
                for key, value in _pair_values(pair, now).items():
                    setattr(row, key, value)
                applied = True
        self._journal_clear()
        if applied:
            log.warning("zalo oa %s: recovered tokens received before a crash", self.slug)
        return applied


def _pair_values(pair: TokenPair, now: datetime) -> dict[str, Any]:
    return {
        "access_token": pair.access_token,
        "access_expires_at": pair.access_expires_at,
        "refresh_token": pair.refresh_token,
        "refresh_expires_at": pair.refresh_expires_at,
        "obtained_at": now,
        "lease_owner": None,
        "lease_until": None,
        "failures": 0,
        "last_error": None,
        "last_error_at": None,
        "alerted_at": None,
        "updated_at": now,
    }


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
