"""Where a ticket's messages go: the owning unit's chat, the units told as well, the
assignee and the unit head.

A unit without its own chat uses the commune's staff group, so a commune that set up
nothing but one Telegram group still gets every alert, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from complaints.categories import category
from complaints.config import ComplaintSettings

Chat = tuple[str, str]  # (channel, chat_id)


@dataclass(frozen=True)
class Target:
    channel: str
    chat_id: str
    notify_only: bool = False  # the unit is told, the owner acts


def unit_chats(unit: str, settings: ComplaintSettings, staff_chats: Sequence[Chat]) -> list[Chat]:
    chats = list(settings.unit(unit).chats) or list(staff_chats)
    return list(dict.fromkeys(chats))


def alert_targets(
    category_key: str, settings: ComplaintSettings, staff_chats: Sequence[Chat]
) -> list[Target]:
    c = category(category_key)
    targets: dict[Chat, Target] = {}
    for chat in unit_chats(c.unit, settings, staff_chats):
        targets[chat] = Target(chat[0], chat[1])
    for unit in c.notify:
        for chat in unit_chats(unit, settings, staff_chats):
            targets.setdefault(chat, Target(chat[0], chat[1], notify_only=True))
    return list(targets.values())


def all_staff_chats(settings: ComplaintSettings, staff_chats: Sequence[Chat]) -> set[Chat]:
    """Every group where staff act on tickets (for recognising staff messages)."""
    chats = set(staff_chats)
    for unit in settings.units.values():
        chats.update(unit.chats)
    return chats


def person_chat(ref: str | None) -> Chat | None:
    """``telegram:501`` -> ("telegram", "501"): a private chat has the person's id."""
    if not ref or ":" not in ref:
        return None
    channel, _, user_id = ref.partition(":")
    return (channel, user_id) if channel and user_id else None
