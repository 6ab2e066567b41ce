"""Recording visits, issuing invitations, opening them and storing the answers.

Everything here runs inside the caller's transaction (a handler's, a sweep's, the
CLI's), so an answer, its chain link, the used invitation and a follow-up ticket commit
together or not at all.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from surveys import chain, tokens
from surveys.instrument import ELEMENTS, IN_PERSON, SCALE, Instrument, SurveyBook
from surveys.models import (
    BURST,
    COUNTER,
    DOSSIER,
    EVIDENCE_COUNTER,
    EVIDENCE_VISIT,
    PENDING,
    USED,
    InstrumentVersion,
    Invitation,
    Response,
    Visit,
)
from surveys.periods import LOCAL, local_date


@dataclass(frozen=True)
class SurveySettings:
    """Per-commune survey options (``settings.surveys`` of the commune overrides them)."""

    expiry_days: int = 7
    push_delay_minutes: int = 30
    reminder_after_hours: int = 24
    day_start: time = time(7, 30)  # pushes wait for daytime, local time
    day_end: time = time(20, 0)
    burst_count: int = 5  # this many counter-QR answers...
    burst_minutes: int = 10  # ...from one counter within this many minutes are flagged
    counter_valid_days: int = 366

    @classmethod
    def from_commune(cls, settings: dict[str, Any] | None) -> SurveySettings:
        raw = dict((settings or {}).get("surveys") or {})
        values: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            if name in raw:
                value = raw[name]
                values[name] = time.fromisoformat(value) if name.startswith("day_") else int(value)
        return cls(**values)

    def daytime(self, moment: datetime) -> datetime:
        """``moment`` if it is daytime locally, else the start of the next day time."""
        local = moment.astimezone(LOCAL)
        if self.day_start <= local.time() < self.day_end:
            return moment
        day = local.date() if local.time() < self.day_start else local.date() + timedelta(days=1)
        return datetime.combine(day, self.day_start, LOCAL).astimezone(moment.tzinfo)


@dataclass(frozen=True)
class Resident:
    """Where to push an invitation: a chat the resident gave at the counter."""

    channel: str
    user_id: str
    chat_id: str | None = None


class Refusal(Exception):
    """Why an invitation cannot be answered: invalid, expired, used or staff."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Opened:
    invitation: Invitation
    visit: Visit
    progress: dict[str, int] = field(default_factory=dict)


# --- visits and invitations --------------------------------------------------------------


async def record_visit(
    session: AsyncSession,
    *,
    commune_id: int,
    now: datetime,
    options: SurveySettings,
    procedure_code: str | None,
    field_name: str = "",
    field_group: str = "other",
    dossier_code: str | None = None,
    counter: str | None = None,
    officer: str | None = None,
    officer_chat: str | None = None,
    mode: str = IN_PERSON,
    occurred_at: datetime | None = None,
    source: str = "cli",
    resident: Resident | None = None,
) -> tuple[Visit, Invitation, bool]:
    """The visit and its invitation; ``False`` last when it was already recorded."""
    occurred_at = (occurred_at or now).replace(microsecond=0)
    if dossier_code:
        existing = (
            await session.execute(
                select(Visit, Invitation)
                .join(Invitation, Invitation.visit_id == Visit.id)
                .where(
                    Visit.commune_id == commune_id,
                    Visit.dossier_code == dossier_code,
                    Visit.occurred_at == occurred_at,
                )
            )
        ).first()
        if existing is not None:
            return existing[0], existing[1], False
    visit = Visit(
        commune_id=commune_id,
        kind=DOSSIER,
        dossier_code=dossier_code,
        procedure_code=procedure_code,
        field=field_name,
        field_group=field_group,
        counter=counter,
        officer=officer,
        officer_chat=officer_chat,
        mode=mode,
        occurred_at=occurred_at,
        source=source,
        created_at=now,
    )
    session.add(visit)
    await session.flush()
    invitation = await _invite(
        session, visit, expires_at=now + timedelta(days=options.expiry_days), now=now
    )
    if resident is not None:
        invitation.push_channel = resident.channel
        invitation.push_user_id = resident.user_id
        invitation.push_chat_id = resident.chat_id or resident.user_id
        invitation.push_due_at = options.daytime(
            max(now, occurred_at) + timedelta(minutes=options.push_delay_minutes)
        )
    await session.flush()
    return visit, invitation, True


async def counter_invitation(
    session: AsyncSession,
    *,
    commune_id: int,
    counter: str,
    now: datetime,
    options: SurveySettings,
) -> Invitation:
    """A standing QR code for a counter: reusable, its answers reported apart."""
    visit = Visit(
        commune_id=commune_id,
        kind=COUNTER,
        counter=counter,
        occurred_at=now,
        source="cli",
        created_at=now,
    )
    session.add(visit)
    await session.flush()
    invitation = await _invite(
        session, visit, expires_at=now + timedelta(days=options.counter_valid_days), now=now
    )
    invitation.reusable = True
    await session.flush()
    return invitation


async def _invite(
    session: AsyncSession, visit: Visit, *, expires_at: datetime, now: datetime
) -> Invitation:
    for _ in range(10):
        code = tokens.new_code()
        taken = (
            await session.execute(select(Invitation.id).where(Invitation.code == code))
        ).first()
        if taken is None:
            break
    else:  # pragma: no cover - 2^40 codes
        raise RuntimeError("could not draw a free invitation code")
    invitation = Invitation(
        commune_id=visit.commune_id,
        visit_id=visit.id,
        code=code,
        nonce=tokens.new_nonce(),
        status=PENDING,
        reusable=False,
        expires_at=expires_at.replace(microsecond=0),
        created_at=now,
    )
    session.add(invitation)
    await session.flush()
    return invitation


def token_for(secret: str, invitation: Invitation) -> str:
    return tokens.make_token(secret, invitation.commune_id, invitation.id, invitation.expires_at)


# --- opening -------------------------------------------------------------------------------


async def open_invitation(
    session: AsyncSession,
    *,
    commune_id: int,
    secret: str,
    now: datetime,
    who: str,
    is_staff: bool,
    token: str | None = None,
    code: str | None = None,
) -> Opened:
    """The invitation behind a token or typed code, if this person may answer it now."""
    invitation: Invitation | None = None
    if token is not None:
        try:
            claims = tokens.read_token(secret, commune_id, token)
        except tokens.TokenError:
            raise Refusal("invalid") from None
        invitation = await session.get(Invitation, claims.invitation_id)
    elif code is not None:
        invitation = (
            await session.execute(
                select(Invitation).where(
                    Invitation.code == code, Invitation.commune_id == commune_id
                )
            )
        ).scalar_one_or_none()
    if invitation is None or invitation.commune_id != commune_id:
        raise Refusal("invalid")
    await session.refresh(invitation)
    visit = await session.get(Visit, invitation.visit_id)
    if visit is None:
        raise Refusal("invalid")
    if invitation.status == USED:
        raise Refusal("used")
    if invitation.status != PENDING or invitation.expires_at <= now:
        raise Refusal("expired")
    if is_staff or (visit.officer_chat is not None and visit.officer_chat == who):
        raise Refusal("staff")
    progress = {} if invitation.reusable else dict(invitation.progress or {})
    return Opened(invitation, visit, {k: int(v) for k, v in progress.items() if k in ELEMENTS})


async def save_progress(
    session: AsyncSession, invitation_id: int, progress: dict[str, Any]
) -> None:
    """Keep partial answers on a single-use invitation so they survive an interruption."""
    await session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation_id,
            Invitation.status == PENDING,
            Invitation.reusable.is_(False),
        )
        .values(progress=dict(progress))
    )


# --- answering -----------------------------------------------------------------------------


async def ensure_instrument(session: AsyncSession, instrument: Instrument) -> None:
    """Keep a copy of the version; refuse a published version whose content changed."""
    stored = await session.get(InstrumentVersion, instrument.key)
    if stored is None:
        session.add(
            InstrumentVersion(
                key=instrument.key,
                fingerprint=instrument.fingerprint,
                definition=instrument.definition(),
            )
        )
        await session.flush()
    elif stored.fingerprint != instrument.fingerprint:
        raise InstrumentChanged(
            f"questionnaire {instrument.key} was edited after answers were given under it: "
            "publish the change as a new version"
        )


class InstrumentChanged(RuntimeError):
    pass


async def submit(
    session: AsyncSession,
    *,
    invitation_id: int,
    instrument: Instrument,
    answers: dict[str, int],
    comment: str | None,
    now: datetime,
    options: SurveySettings,
) -> Response:
    """Store one anonymous answer for an invitation and chain it; refuses a second one.

    The single-use check is a conditional update in this transaction: of two concurrent
    submissions only one finds the invitation still pending. The unique receipt stops
    the second even if that check were bypassed.
    """
    invitation = await session.get(Invitation, invitation_id, populate_existing=True)
    if invitation is None:
        raise Refusal("invalid")
    visit = await session.get(Visit, invitation.visit_id)
    if visit is None:
        raise Refusal("invalid")
    if invitation.status == USED:
        raise Refusal("used")
    if invitation.status != PENDING or invitation.expires_at <= now:
        raise Refusal("expired")
    missing = [q.element for q in instrument.questions if q.element not in answers]
    if missing or any(v not in SCALE for v in answers.values()):
        raise ValueError(f"incomplete or out-of-scale answers: missing {missing}")
    await ensure_instrument(session, instrument)
    if invitation.reusable:
        receipt = tokens.receipt(secrets.token_hex(16))
        evidence = EVIDENCE_COUNTER
    else:
        nonce = invitation.nonce
        claimed = await session.execute(
            update(Invitation)
            .where(
                Invitation.id == invitation.id,
                Invitation.status == PENDING,
                Invitation.nonce == nonce,
            )
            .values(
                status=USED,
                nonce=None,
                progress=None,
                push_channel=None,
                push_user_id=None,
                push_chat_id=None,
                push_due_at=None,
                reminder_due_at=None,
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(claimed, "rowcount", 0) != 1 or nonce is None:
            raise Refusal("used")
        receipt = tokens.receipt(nonce)
        evidence = EVIDENCE_VISIT
    response = Response(
        commune_id=invitation.commune_id,
        instrument=instrument.key,
        evidence=evidence,
        procedure_code=visit.procedure_code,
        field=visit.field,
        field_group=visit.field_group,
        counter=visit.counter,
        officer=visit.officer,
        mode=visit.mode,
        visit_date=local_date(visit.occurred_at) if visit.kind == DOSSIER else None,
        answered_at=now.replace(microsecond=0),
        comment=(comment or None),
        receipt=receipt,
        **{e: answers.get(e) for e in ELEMENTS},
    )
    session.add(response)
    await session.flush()
    await chain.append(session, response)
    if evidence == EVIDENCE_COUNTER:
        await _flag_burst(session, response, options)
    return response


async def _flag_burst(session: AsyncSession, response: Response, options: SurveySettings) -> None:
    """Many answers from one counter QR in a few minutes: flag them all (not counted)."""
    since = response.answered_at - timedelta(minutes=options.burst_minutes)
    window = (
        Response.commune_id == response.commune_id,
        Response.evidence == EVIDENCE_COUNTER,
        Response.counter == response.counter,
        Response.answered_at >= since,
    )
    count = (await session.execute(select(func.count(Response.id)).where(*window))).scalar_one()
    if count >= options.burst_count:
        await session.execute(
            update(Response)
            .where(*window)
            .values(flag=BURST)
            .execution_options(synchronize_session=False)
        )
        response.flag = BURST


def low_elements(instrument: Instrument, answers: dict[str, int], low: int = 2) -> list[str]:
    return [q.element for q in instrument.questions if answers.get(q.element, 5) <= low]


def classify(book: SurveyBook, field_name: str | None) -> str:
    return book.field_group(field_name)


def visit_day(moment: datetime) -> date:
    return local_date(moment)


@dataclass(frozen=True)
class Services:
    """What the survey handlers need from the deployment (put in ``ctx.services``)."""

    secret: str
    book: SurveyBook
    bot_usernames: dict[str, str] = field(default_factory=dict)  # commune slug -> bot

    def link(self, commune_slug: str, invitation: Invitation) -> str | None:
        """The Telegram deep link for an invitation, when the commune has a bot."""
        from surveys.links import deep_link

        username = self.bot_usernames.get(commune_slug)
        return deep_link(username, token_for(self.secret, invitation)) if username else None


SERVICE_KEY = "surveys"
