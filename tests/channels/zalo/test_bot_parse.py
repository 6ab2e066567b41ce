"""Zalo Bot updates, replayed from captured-shape fixtures, become the core's messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.channels.zalo_bot.parse import BadUpdate, ZaloBot, unwrap
from bot.types import Attachment

FIXTURES = Path(__file__).parents[2] / "fixtures" / "zalo" / "bot"
channel = ZaloBot()


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def test_a_text_message_names_who_wrote_with_string_ids() -> None:
    [msg] = channel.parse(fixture("text.json"))
    assert msg.text == "lam giay khai sinh can gi"
    assert msg.user.channel == "zalo_bot"
    assert msg.user.user_id == msg.user.chat_id == "a9f3c27e51d04b88b6e1"
    assert msg.user.display_name == "Nguyễn Thị Lan"
    assert msg.message_id == "6f0d2b9c41e87a35d2c1"
    assert msg.payload is None and msg.command is None and not msg.is_group


def test_the_wrapped_shape_reads_like_the_flat_one() -> None:
    wrapped = fixture("text_wrapped.json")
    assert wrapped["ok"] is True and "result" in wrapped
    [msg] = channel.parse(wrapped)
    assert msg.text == "phí đăng ký kết hôn"
    assert channel.update_key(wrapped) == channel.update_key(wrapped["result"])
    assert channel.conversation_key(wrapped) == "a9f3c27e51d04b88b6e1"


def test_a_typed_command_is_a_command() -> None:
    [msg] = channel.parse(fixture("start.json"))
    assert msg.command == "start" and msg.payload is None


def test_a_photo_carries_its_url_and_caption() -> None:
    [msg] = channel.parse(fixture("image.json"))
    assert msg.attachments == (
        Attachment("photo", "https://photo-stal-1.zdn.vn/zbot/7c1e/2f3a9b.jpg"),
    )
    assert msg.text == "ổ gà trước cổng chợ"


def test_a_sticker_is_an_attachment_without_text() -> None:
    [msg] = channel.parse(fixture("sticker.json"))
    assert [a.kind for a in msg.attachments] == ["sticker"]
    assert msg.attachments[0].file_ref.startswith("https://")
    assert msg.text == ""


def test_an_unsupported_message_still_reaches_the_core() -> None:
    [msg] = channel.parse(fixture("unsupported.json"))
    assert msg.attachments and msg.text == ""


def test_a_group_message_is_marked_as_such() -> None:
    [msg] = channel.parse(fixture("group_text.json"))
    assert (
        msg.is_group and msg.user.chat_id == "g4c8e2a61b7d" and msg.user.user_id != msg.user.chat_id
    )


def test_messages_from_bots_and_unknown_events_are_ignored() -> None:
    update = fixture("text.json")
    update["message"]["from"]["is_bot"] = True
    assert channel.parse(update) == []
    assert channel.parse({"event_name": "bot.joined.group", "message": {}}) == []


def test_update_keys_tell_events_apart_and_repeat_for_a_retry() -> None:
    keys = {channel.update_key(fixture(name)) for name in ("text.json", "start.json", "image.json")}
    assert len(keys) == 3
    assert channel.update_key(fixture("text.json")) == channel.update_key(fixture("text.json"))


def test_numeric_ids_become_strings() -> None:
    update = fixture("text.json")
    update["message"]["from"]["id"] = 7123456789012345678
    update["message"]["chat"]["id"] = 7123456789012345678
    [msg] = channel.parse(update)
    assert msg.user.user_id == "7123456789012345678"


@pytest.mark.parametrize(
    "body", [[], "x", {"ok": True}, {"ok": False, "result": {}}, {"message": {}}]
)
def test_what_is_not_an_update_is_refused(body: Any) -> None:
    with pytest.raises(BadUpdate):
        unwrap(body)
