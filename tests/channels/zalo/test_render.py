"""How replies look on the two Zalo products: numbered choices, parts of 2000, buttons."""

from __future__ import annotations

from bot.channels.zalo_bot.render import MAX_TEXT, render, split_text, units
from bot.channels.zalo_oa.parse import button_payload
from bot.channels.zalo_oa.render import MAX_BUTTONS
from bot.channels.zalo_oa.render import render as render_oa
from bot.types import Button, Reply

MENU = Reply(
    "Bạn cần gì?",
    (
        Button("Hỏi về thủ tục", "m:ask"),
        Button("Xem bản đồ", url="https://maps.example.vn/ubnd"),
        Button("Về menu chính", "m"),
    ),
)
CARD = Reply(
    "Làm giấy khai sinh (1.001193)",
    (
        *(Button(f"Mục {i}", f"p:1.001193:{i}") for i in range(1, 8)),
        Button("Mở trang nộp trực tuyến", url="https://dichvucong.gov.vn/p/1.001193"),
    ),
)


def test_long_text_is_cut_into_parts_of_at_most_2000_at_line_ends() -> None:
    paragraph = "Giấy tờ cần nộp: tờ khai, giấy chứng sinh, giấy tờ tùy thân của cha mẹ. " * 10
    text = "\n\n".join(paragraph.strip() for _ in range(8))
    parts = split_text(text)
    assert len(parts) > 1
    assert all(1 <= units(p) <= MAX_TEXT for p in parts)
    assert all(p.endswith(".") for p in parts)  # cut between paragraphs, not mid-word
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())


def test_emoji_count_double_and_a_word_longer_than_the_limit_is_cut_anyway() -> None:
    parts = split_text("😀" * 1500)
    assert [units(p) for p in parts] == [2000, 1000]
    parts = split_text("x" * 4500)
    assert [len(p) for p in parts] == [2000, 2000, 500]


def test_empty_text_makes_no_part() -> None:
    assert split_text("  \n ") == []


def test_zalo_bot_shows_choices_as_a_numbered_list() -> None:
    [call] = render("chat-1", MENU)
    assert call.method == "sendMessage" and call.body["chat_id"] == "chat-1"
    assert call.body["text"].splitlines() == [
        "Bạn cần gì?",
        "1. Hỏi về thủ tục",
        "Xem bản đồ: https://maps.example.vn/ubnd",
        "2. Về menu chính",
        "(Gõ số thứ tự để chọn)",
    ]


def test_zalo_bot_sends_a_photo_by_url_before_the_text() -> None:
    calls = render("chat-1", Reply("Sơ đồ nơi nộp hồ sơ", photo="https://example.vn/so-do.png"))
    assert [c.method for c in calls] == ["sendPhoto", "sendMessage"]
    assert calls[0].body == {"chat_id": "chat-1", "photo": "https://example.vn/so-do.png"}
    # A local path cannot be sent by URL: only the text goes.
    assert [c.method for c in render("chat-1", Reply("x", photo="/tmp/x.png"))] == ["sendMessage"]


def test_zalo_oa_offers_up_to_five_buttons_as_query_and_link_buttons() -> None:
    [body] = render_oa("8309393969855402319", MENU)
    assert body["recipient"] == {"user_id": "8309393969855402319"}
    message = body["message"]
    assert message["text"] == "Bạn cần gì?"
    buttons = message["attachment"]["payload"]["buttons"]
    assert [b["type"] for b in buttons] == ["oa.query.show", "oa.open.url", "oa.query.show"]
    assert buttons[1]["payload"] == {"url": "https://maps.example.vn/ubnd"}
    assert [button_payload(b["payload"]) for b in buttons if b["type"] == "oa.query.show"] == [
        "m:ask",
        "m",
    ]
    assert buttons[0]["payload"].startswith("Hỏi về thủ tục")  # the resident sees what they chose


def test_zalo_oa_lists_more_than_five_choices_by_number_and_taps_the_first_five() -> None:
    [body] = render_oa("u1", CARD)
    text = body["message"]["text"]
    assert "1. Mục 1" in text and "7. Mục 7" in text and "(Gõ số thứ tự để chọn)" in text
    assert "Mở trang nộp trực tuyến: https://dichvucong.gov.vn/p/1.001193" in text
    buttons = body["message"]["attachment"]["payload"]["buttons"]
    assert len(buttons) == MAX_BUTTONS
    assert [b["title"] for b in buttons] == [f"Mục {i}" for i in range(1, 6)]


def test_zalo_oa_puts_the_buttons_on_the_last_part_of_a_long_text() -> None:
    bodies = render_oa("u1", Reply("Căn cứ pháp lý. " * 200, MENU.buttons))
    assert len(bodies) == 2
    assert "attachment" not in bodies[0]["message"]
    assert len(bodies[1]["message"]["attachment"]["payload"]["buttons"]) == 3


def test_zalo_oa_sends_a_photo_as_a_media_message() -> None:
    photo, text = render_oa("u1", Reply("Sơ đồ", photo="https://example.vn/so-do.png"))
    payload = photo["message"]["attachment"]["payload"]
    assert payload["template_type"] == "media"
    assert payload["elements"] == [{"media_type": "image", "url": "https://example.vn/so-do.png"}]
    assert text["message"] == {"text": "Sơ đồ"}
