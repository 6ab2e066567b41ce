"""What a handler gets: who wrote, in which commune, their conversation, the knowledge
base and a database session inside the update's transaction.

Handlers never send. They return replies for the person who wrote and, for anyone else
(the staff group, a resident receiving a staff answer), call ``ctx.address(...)``; the
processor writes both to the outbox in the same transaction as the conversation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.communes import CommuneProfile
from bot.conversation import ConversationState
from bot.types import Reply, UserRef

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.knowledge_base import CommuneKnowledge


@dataclass(frozen=True)
class Outgoing:
    """A message for someone other than the sender of the current update."""

    channel: str
    chat_id: str
    reply: Reply
    user_id: str | None = None
    kind: str = "notice"


@dataclass
class Context:
    commune: CommuneProfile
    user: UserRef
    conversation: ConversationState
    session: AsyncSession
    knowledge: CommuneKnowledge
    now: datetime
    services: dict[str, Any] = field(default_factory=dict)
    outgoing: list[Outgoing] = field(default_factory=list)
    route: str | None = None

    def address(
        self,
        channel: str,
        chat_id: str,
        reply: Reply,
        *,
        user_id: str | None = None,
        kind: str = "notice",
    ) -> None:
        self.outgoing.append(Outgoing(channel, chat_id, reply, user_id, kind))
