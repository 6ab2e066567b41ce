"""Questions the bot could not answer, grouped by similarity, and linking them to a
procedure: the phrasing becomes an alias, the questions are resolved, and residents who
can still be reached get the answer.

Grouping is a greedy single pass over the folded texts (newest first): a question joins
the first group whose first question is similar enough (rapidfuzz token set ratio),
else starts a group. Quadratic in the number of groups, which stays small for the few
hundred open questions of a commune.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import outbox
from bot.communes import CommuneProfile
from bot.db.models import ChannelUser, Question
from bot.reachability import can_reach
from bot.types import Reply
from handlers.procedures import card_buttons
from knowledge import render
from knowledge.models import Procedure
from knowledge.normalize import fold
from staff import texts

SIMILAR = 72.0  # token set ratio (0-100) to join a group
WINDOW = timedelta(days=90)  # questions older than this are not shown
ANSWER_WITHIN = timedelta(days=30)  # older askers are not messaged out of the blue
LIMIT = 1000
KIND_LINKED = "question_linked"


@dataclass
class Group:
    key: str
    questions: list[Question] = field(default_factory=list)

    @property
    def first(self) -> Question:
        return self.questions[0]

    @property
    def ids(self) -> list[int]:
        return [q.id for q in self.questions]

    @property
    def texts(self) -> list[str]:
        """Distinct phrasings, most frequent first."""
        counts = Counter(" ".join(q.text.split()) for q in self.questions)
        return [text for text, _ in counts.most_common()]

    @property
    def suggested(self) -> list[str]:
        """Codes the bot hesitated between, most frequent first."""
        counts: Counter[str] = Counter()
        for q in self.questions:
            counts.update(q.codes or [])
        return [code for code, _ in counts.most_common(5)]


def group(questions: Sequence[Question], threshold: float = SIMILAR) -> list[Group]:
    groups: list[Group] = []
    for question in questions:
        key = fold(question.text)
        for candidate in groups:
            if key == candidate.key or fuzz.token_set_ratio(key, candidate.key) >= threshold:
                candidate.questions.append(question)
                break
        else:
            groups.append(Group(key, [question]))
    groups.sort(key=lambda g: (-len(g.questions), -g.first.id))
    return groups


async def open_questions(
    session: AsyncSession, commune_id: int, now: datetime, limit: int = LIMIT
) -> list[Question]:
    return list(
        (
            await session.execute(
                select(Question)
                .where(
                    Question.commune_id == commune_id,
                    Question.answered.is_(False),
                    Question.resolved_at.is_(None),
                    Question.created_at >= now - WINDOW,
                )
                .order_by(Question.id.desc())
                .limit(limit)
            )
        ).scalars()
    )


@dataclass
class LinkResult:
    resolved: int
    answered: int  # residents who will get the answer
    aliases: list[str]


async def resolve(
    session: AsyncSession,
    commune: CommuneProfile,
    questions: Sequence[Question],
    procedure: Procedure,
    *,
    now: datetime,
) -> LinkResult:
    """Mark the questions resolved with the procedure and send the answer where we can."""
    answered = 0
    told: set[tuple[str, str]] = set()
    office = commune.one_stop_shop + (f", {commune.address}" if commune.address else "")
    for q in questions:
        q.resolved_code, q.resolved_at = procedure.code, now
        if q.created_at < now - ANSWER_WITHIN or (q.channel, q.user_id) in told:
            continue
        if not await can_reach(session, commune.id, q.channel, q.user_id, now):
            continue
        chat_id = (
            await session.execute(
                select(ChannelUser.chat_id).where(
                    ChannelUser.commune_id == commune.id,
                    ChannelUser.channel == q.channel,
                    ChannelUser.user_id == q.user_id,
                )
            )
        ).scalar_one_or_none() or q.user_id
        text = "\n\n".join(
            [
                texts.LINKED_ANSWER.format(question=_short(q.text), commune=commune.name),
                render.card(procedure, q.aspect, office=office),
            ]
        )
        outbox.enqueue(
            session,
            commune.id,
            [
                outbox.Envelope(
                    q.channel,
                    chat_id,
                    Reply(text, card_buttons(procedure)),
                    user_id=q.user_id,
                    kind=KIND_LINKED,
                )
            ],
            now=now,
        )
        told.add((q.channel, q.user_id))
        answered += 1
    await session.flush()
    return LinkResult(len(questions), answered, [])


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
