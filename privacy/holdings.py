"""What the bot holds about one resident on one channel, for ``/dulieucuatoi``.

Every query is keyed by (commune, channel, user id): the account asking. Nothing here
reaches another person's rows, and the handler shows contact details masked (the reply
passes through the outbox, which must not carry them in full).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ChannelUser, Conversation, OutboxItem, Question
from complaints import service
from complaints.models import TicketPhoto
from privacy.models import PrivacyRequest
from surveys.models import Invitation


@dataclass(frozen=True)
class TicketHolding:
    code: str
    created_at: datetime
    status: str
    contact_name: str | None
    contact_phone: str | None
    consent_version: str | None
    consent_at: datetime | None
    contact_erased_at: datetime | None


@dataclass(frozen=True)
class Holdings:
    display_name: str | None = None
    first_seen_at: datetime | None = None
    last_seen_at: datetime | None = None
    draft_state: str | None = None  # a dialogue in progress, e.g. "complaints.phone"
    draft_has_contact: bool = False
    tickets: list[TicketHolding] = field(default_factory=list)
    photos: int = 0
    questions: int = 0
    messages: int = 0  # replies and notices kept in the outbox for this chat
    invitations: int = 0  # survey invitations waiting to be pushed to this account
    requests: list[PrivacyRequest] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return (
            self.display_name is None
            and self.first_seen_at is None
            and self.draft_state is None
            and not self.tickets
            and not self.questions
            and not self.requests
        )


async def holdings(
    session: AsyncSession, commune_id: int, channel: str, user_id: str, chat_id: str
) -> Holdings:
    account = (
        await session.execute(
            select(ChannelUser).where(
                ChannelUser.commune_id == commune_id,
                ChannelUser.channel == channel,
                ChannelUser.user_id == user_id,
            )
        )
    ).scalar_one_or_none()
    conversation = (
        await session.execute(
            select(Conversation).where(
                Conversation.commune_id == commune_id,
                Conversation.channel == channel,
                Conversation.user_id == user_id,
            )
        )
    ).scalar_one_or_none()
    tickets = await service.resident_tickets(session, commune_id, channel, user_id, limit=None)

    async def count(query: object) -> int:
        return int((await session.execute(query)).scalar_one())  # type: ignore[call-overload]

    photos = await count(
        select(func.count(TicketPhoto.id)).where(
            TicketPhoto.commune_id == commune_id,
            TicketPhoto.channel == channel,
            TicketPhoto.user_id == user_id,
        )
    )
    questions = await count(
        select(func.count(Question.id)).where(
            Question.commune_id == commune_id,
            Question.channel == channel,
            Question.user_id == user_id,
        )
    )
    messages = await count(
        select(func.count(OutboxItem.id)).where(
            OutboxItem.commune_id == commune_id,
            OutboxItem.channel == channel,
            OutboxItem.chat_id == chat_id,
        )
    )
    invitations = await count(
        select(func.count(Invitation.id)).where(
            Invitation.commune_id == commune_id,
            Invitation.push_channel == channel,
            Invitation.push_user_id == user_id,
        )
    )
    requests = list(
        (
            await session.execute(
                select(PrivacyRequest)
                .where(
                    PrivacyRequest.commune_id == commune_id,
                    PrivacyRequest.channel == channel,
                    PrivacyRequest.user_id == user_id,
                )
                .order_by(PrivacyRequest.received_at.desc())
                .limit(5)
            )
        ).scalars()
    )
    state = conversation.state if conversation is not None else None
    data = conversation.data if conversation is not None else {}
    return Holdings(
        display_name=account.display_name if account is not None else None,
        first_seen_at=account.first_seen_at if account is not None else None,
        last_seen_at=account.last_seen_at if account is not None else None,
        draft_state=state,
        draft_has_contact=bool(state and (data.get("name") or data.get("phone"))),
        tickets=[
            TicketHolding(
                t.code,
                t.created_at,
                t.status,
                t.contact_name,
                t.contact_phone,
                t.consent_version,
                t.consent_at,
                t.contact_erased_at,
            )
            for t in tickets
        ],
        photos=photos,
        questions=questions,
        messages=messages,
        invitations=invitations,
        requests=requests,
    )
