"""Zalo OA webhook events, replayed from captured-shape fixtures, become the core's messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.channels.zalo_oa.parse import ZaloOA, button_payload
from bot.channels.zalo_oa.render import query_text
from bot.types import Button, Location

FIXTURES = Path(__file__).parents[2] / "fixtures" / "zalo" / "oa"
channel = ZaloOA()
USER = "8309393969855402319"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def test_a_text_names_the_sender_with_string_ids() -> None:
    [msg] = channel.parse(fixture("user_send_text.json"))
    assert msg.text == "đăng ký tạm trú cần gì"
    assert msg.user.channel == "zalo_oa" and msg.user.user_id == msg.user.chat_id == USER
    assert msg.message_id == "b8de7d84fa1b3043690c" and not msg.is_button


def test_a_tapped_query_button_is_a_button_press() -> None:
    [msg] = channel.parse(fixture("button_tap.json"))
    assert msg.is_button and msg.payload == "p:1.001193:docs" and msg.text == ""


def test_what_a_rendered_button_sends_back_reads_back_as_its_payload() -> None:
    for button in (
        Button("Về menu chính", "m"),
        Button("Có phải: Làm giấy khai sinh #2?", "p:1.001193"),
    ):
        assert button_payload(query_text(button)) == button.payload


def test_ordinary_texts_with_a_hash_are_not_presses() -> None:
    assert button_payload("khai sinh") is None
    assert button_payload("số nhà #12 đường Lê Lợi") is None
    assert button_payload("hai cái ## ") is None


def test_a_photo_carries_its_url() -> None:
    [msg] = channel.parse(fixture("user_send_image.json"))
    assert [(a.kind, a.file_ref) for a in msg.attachments] == [
        ("photo", "https://photo-stal-1.zdn.vn/oa/full/9a1b2c.jpg")
    ]


def test_a_sticker_is_an_attachment() -> None:
    [msg] = channel.parse(fixture("user_send_sticker.json"))
    assert [a.kind for a in msg.attachments] == ["sticker"]


def test_a_location_arrives_as_coordinates() -> None:
    [msg] = channel.parse(fixture("user_send_location.json"))
    assert msg.location == Location(21.8537083, 106.7614958)
    assert msg.text == ""  # the place name is not a question to search


def test_following_the_oa_starts_the_conversation() -> None:
    [msg] = channel.parse(fixture("follow.json"))
    assert msg.command == "start" and msg.user.user_id == USER


def test_unfollow_and_the_oas_own_messages_need_no_answer() -> None:
    assert channel.parse(fixture("unfollow.json")) == []
    assert channel.parse(fixture("oa_send_text.json")) == []


def test_a_typed_command_is_a_command() -> None:
    event = fixture("user_send_text.json")
    event["message"]["text"] = "/huy"
    [msg] = channel.parse(event)
    assert msg.command == "huy"


def test_update_keys_use_the_message_id_or_the_event_time() -> None:
    assert (
        channel.update_key(fixture("user_send_text.json")) == "user_send_text:b8de7d84fa1b3043690c"
    )
    follow = channel.update_key(fixture("follow.json"))
    assert follow == f"follow:{USER}:1763870041636"
    assert channel.conversation_key(fixture("follow.json")) == USER
