"""Channel-neutral message types.

Every channel adapter turns its payloads into these and renders these back; handlers see
nothing else. Stdlib only, so any layer may import it. Ids are strings everywhere: Zalo
ids overflow JSON numbers in some clients.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class UserRef:
    """Who wrote, and where to answer. ``chat_id`` differs from ``user_id`` in groups."""

    channel: str
    user_id: str
    chat_id: str
    display_name: str | None = None

    @property
    def key(self) -> str:
        return f"{self.channel}:{self.user_id}"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file the resident sent. ``file_ref`` is the channel's id or URL to fetch it by."""

    kind: str  # "photo", "sticker", "document", "audio"
    file_ref: str
    mime_type: str | None = None
    size: int | None = None


@dataclass(frozen=True, slots=True)
class Location:
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Contact:
    """A phone number the resident chose to share (Telegram's contact button)."""

    phone: str
    name: str | None = None
    own: bool = True  # False when they forwarded someone else's contact


@dataclass(frozen=True, slots=True)
class Incoming:
    """One thing a resident did: typed text, pressed a button, sent a photo...

    ``payload`` is set when a button was pressed (its payload string) or a deep link was
    opened (``/start <payload>`` arrives as ``command="start"`` and ``payload``).
    ``message_id`` is the channel's id for the update, used to drop retried deliveries.
    """

    user: UserRef
    text: str = ""
    payload: str | None = None
    command: str | None = None  # "start", "huy", ... without the slash
    message_id: str | None = None
    attachments: tuple[Attachment, ...] = ()
    location: Location | None = None
    contact: Contact | None = None
    is_group: bool = False
    raw: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def is_button(self) -> bool:
        return self.payload is not None and self.command is None


@dataclass(frozen=True, slots=True)
class Button:
    """A choice offered to the resident. Either ``payload`` (pressed) or ``url`` (opened)."""

    label: str
    payload: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if (self.payload is None) == (self.url is None):
            raise ValueError("a button has exactly one of payload or url")


@dataclass(frozen=True, slots=True)
class Reply:
    """Text plus choices. Each channel renders buttons its own way.

    ``request_contact``/``request_location`` ask channels that can (Telegram) to show a
    share button; others ignore them and the text says what to type instead.
    ``expect_answer`` opens the reply box on this message where the channel can (a
    Telegram group: a bot in privacy mode only sees replies to its own messages).
    """

    text: str
    buttons: tuple[Button, ...] = ()
    photo: str | None = None  # a URL or path of an image to send with the text
    request_contact: bool = False
    request_location: bool = False
    expect_answer: bool = False

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text}
        data["buttons"] = [
            {"label": b.label, "payload": b.payload}
            if b.url is None
            else {"label": b.label, "url": b.url}
            for b in self.buttons
        ]
        if self.photo:
            data["photo"] = self.photo
        if self.request_contact:
            data["request_contact"] = True
        if self.request_location:
            data["request_location"] = True
        if self.expect_answer:
            data["expect_answer"] = True
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reply:
        return cls(
            text=str(data.get("text", "")),
            buttons=tuple(
                Button(label=b["label"], payload=b.get("payload"), url=b.get("url"))
                for b in data.get("buttons", ())
            ),
            photo=data.get("photo"),
            request_contact=bool(data.get("request_contact", False)),
            request_location=bool(data.get("request_location", False)),
            expect_answer=bool(data.get("expect_answer", False)),
        )
