"""A ``Reply`` as Zalo OA consultation messages (``POST /v3.0/oa/message/cs`` bodies).

Up to five buttons ride on a message (verify): choices become ``oa.query.show``
buttons, links ``oa.open.url`` ones. A reply with more choices than that shows them as
a numbered list in the text (the resident types the number) and still offers the first
five choices as buttons. Each message counts against the reply window, so a reply is
kept to as few messages as its text allows (2000 characters each, verify).
"""

from __future__ import annotations

from typing import Any

from bot.channels.zalo_bot.render import is_web_url, split_text
from bot.choices import numbered_text
from bot.types import Button, Reply

MAX_BUTTONS = 5
MAX_TITLE = 100  # button title, characters (verify)
MAX_QUERY = 1000  # oa.query.show payload, characters (verify)


def query_text(button: Button) -> str:
    """What Zalo sends back, as the resident's text, when the button is tapped."""
    return f"{button.label[:MAX_TITLE]} #{button.payload}"[:MAX_QUERY]


def _button(button: Button) -> dict[str, Any]:
    if button.url is not None:
        return {
            "title": button.label[:MAX_TITLE],
            "type": "oa.open.url",
            "payload": {"url": button.url},
        }
    return {
        "title": button.label[:MAX_TITLE],
        "type": "oa.query.show",
        "payload": query_text(button),
    }


def render(user_id: str, reply: Reply) -> list[dict[str, Any]]:
    """The message bodies that show ``reply``, in order."""
    recipient = {"user_id": user_id}
    bodies: list[dict[str, Any]] = []
    if reply.photo and is_web_url(reply.photo):
        media = {
            "template_type": "media",
            "elements": [{"media_type": "image", "url": reply.photo}],
        }
        bodies.append(
            {
                "recipient": recipient,
                "message": {"attachment": {"type": "template", "payload": media}},
            }
        )
    if len(reply.buttons) <= MAX_BUTTONS:
        text, buttons = reply.text, list(reply.buttons)
    else:
        text = numbered_text(reply)
        buttons = [b for b in reply.buttons if b.payload is not None][:MAX_BUTTONS]
    parts = split_text(text)
    if not parts and buttons:
        parts = ["…"]
    for index, part in enumerate(parts):
        message: dict[str, Any] = {"text": part}
        if buttons and index == len(parts) - 1:
            message["attachment"] = {
                "type": "template",
                "payload": {"buttons": [_button(b) for b in buttons]},
            }
        bodies.append({"recipient": recipient, "message": message})
    return bodies
