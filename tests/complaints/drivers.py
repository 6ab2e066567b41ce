"""Drivers for complaint tests: a resident who can also send photos and locations, the
staff group on Telegram (through the processor, as the Telegram adapter delivers it),
and a clock tests can move."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot import outbox
from bot.app import Runtime
from bot.channels.base import parse_command
from bot.types import Attachment, Button, Contact, Incoming, Location, Reply, UserRef

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STAFF_GROUP = "-1001234567890"
STAFF_IDS = ("501", "502", "503")
CONFIDENTIAL_OFFICER = "503"


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ).astimezone(UTC)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


class IncomingDriver:
    """A resident on a channel that carries photos, locations and shared contacts
    (Telegram-like), fed straight to the processor."""

    def __init__(
        self,
        runtime: Runtime,
        user_id: str = "9001",
        *,
        channel: str = "telegram",
        commune: str = "default",
        name: str | None = None,
    ) -> None:
        self.runtime = runtime
        self.user = UserRef(channel, user_id, user_id, name)
        self.commune = commune
        self._n = 0

    async def _send(self, msg: Incoming) -> list[Reply]:
        commune = self.runtime.communes.by_slug(self.commune)
        assert commune is not None
        await self.runtime.processor.handle(commune, msg)
        return await outbox.take_for_pull(self.runtime.db, self.user.channel, self.user.chat_id)

    def _id(self) -> str:
        self._n += 1
        return f"{self.user.user_id}-{self._n}"

    async def say(self, text: str) -> list[Reply]:
        command, argument = parse_command(text) if text.startswith("/") else (None, None)
        return await self._send(
            Incoming(self.user, text=text, command=command, payload=argument, message_id=self._id())
        )

    async def press(self, button: Button) -> list[Reply]:
        assert button.payload is not None
        return await self._send(Incoming(self.user, payload=button.payload, message_id=self._id()))

    async def send_photo(self, file_ref: str, caption: str = "") -> list[Reply]:
        return await self._send(
            Incoming(
                self.user,
                text=caption,
                attachments=(Attachment("photo", file_ref, "image/jpeg"),),
                message_id=self._id(),
            )
        )

    async def send_location(self, latitude: float, longitude: float) -> list[Reply]:
        return await self._send(
            Incoming(self.user, location=Location(latitude, longitude), message_id=self._id())
        )

    async def share_contact(self, phone: str, name: str | None = None) -> list[Reply]:
        return await self._send(
            Incoming(self.user, contact=Contact(phone, name), message_id=self._id())
        )


class StaffDriver:
    """A staff member in the commune's Telegram staff group (or in a private chat)."""

    def __init__(
        self,
        runtime: Runtime,
        user_id: str = "501",
        name: str = "Chị Lan",
        *,
        group: str = STAFF_GROUP,
        commune: str = "default",
    ) -> None:
        self.runtime = runtime
        self.user_id = user_id
        self.name = name
        self.group = group
        self.commune = commune
        self._n = 0

    async def _send(self, *, private: bool, **fields: object) -> list[Reply]:
        commune = self.runtime.communes.by_slug(self.commune)
        assert commune is not None
        chat = self.user_id if private else self.group
        self._n += 1
        msg = Incoming(
            UserRef("telegram", self.user_id, chat, self.name),
            is_group=not private,
            message_id=f"staff-{self.user_id}-{self._n}",
            **fields,  # type: ignore[arg-type]
        )
        await self.runtime.processor.handle(commune, msg)
        return await outbox.take_for_pull(self.runtime.db, "telegram", chat)

    async def say(self, text: str, *, private: bool = False) -> list[Reply]:
        command, argument = parse_command(text) if text.startswith("/") else (None, None)
        return await self._send(private=private, text=text, command=command, payload=argument)

    async def press(self, button: Button, *, private: bool = False) -> list[Reply]:
        assert button.payload is not None
        return await self._send(private=private, payload=button.payload)

    async def group_messages(self) -> list[Reply]:
        """What the bot posted in the staff group since last asked (alerts, photos...)."""
        return await outbox.take_for_pull(self.runtime.db, "telegram", self.group)


def find_button(replies: list[Reply], label: str) -> Button:
    for reply in reversed(replies):
        for button in reply.buttons:
            if label.lower() in button.label.lower():
                return button
    raise AssertionError(f"no button {label!r} in {[r.text for r in replies]}")


def texts_of(replies: list[Reply]) -> str:
    return "\n---\n".join(r.text for r in replies)
