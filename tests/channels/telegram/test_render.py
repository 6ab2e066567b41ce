"""Replies as Bot API calls: escaped HTML, 4096-character parts, keyboards."""

from __future__ import annotations

import pytest
from telegram import ForceReply, InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot.channels.telegram import texts
from bot.channels.telegram.render import render, split_text, utf16_length
from bot.delivery import Rejected
from bot.types import Button, Reply


def test_text_is_html_escaped_so_residents_angle_brackets_survive() -> None:
    [part] = render(Reply('Mẫu <b> & "ký tên"'))
    assert part.text == 'Mẫu &lt;b&gt; &amp; "ký tên"'
    assert part.method == "sendMessage" and part.markup is None


def test_buttons_are_an_inline_keyboard_one_per_row_on_the_last_part() -> None:
    reply = Reply(
        "a" * 3000 + "\n\n" + "b" * 3000,
        (Button("Giấy tờ cần nộp", "p:docs"), Button("Bản đồ", url="https://maps.example/x")),
    )
    first, last = render(reply)
    assert first.markup is None
    assert isinstance(last.markup, InlineKeyboardMarkup)
    rows = last.markup.inline_keyboard
    assert [[b.text for b in row] for row in rows] == [["Giấy tờ cần nộp"], ["Bản đồ"]]
    assert rows[0][0].callback_data == "p:docs" and rows[1][0].url == "https://maps.example/x"


def test_a_payload_over_64_bytes_is_rejected_not_truncated() -> None:
    with pytest.raises(Rejected, match="1-64 bytes"):
        render(Reply("x", (Button("Chọn", "đ" * 33),)))  # 66 bytes in UTF-8


def test_asking_for_the_phone_number_shows_a_one_time_share_button() -> None:
    [part] = render(Reply("Cho xin số điện thoại", request_contact=True))
    assert isinstance(part.markup, ReplyKeyboardMarkup)
    [[button]] = part.markup.keyboard
    assert button.request_contact and button.text == texts.SHARE_PHONE
    assert part.markup.one_time_keyboard


def test_with_both_keyboards_the_buttons_follow_in_a_message_of_their_own() -> None:
    text, choices = render(Reply("Gửi vị trí", (Button("Bỏ qua", "skip"),), request_location=True))
    assert isinstance(text.markup, ReplyKeyboardMarkup)
    assert isinstance(choices.markup, InlineKeyboardMarkup) and choices.text == texts.CHOOSE


def test_a_photo_goes_first_then_the_text() -> None:
    photo, text = render(Reply("Mã QR khảo sát", photo="https://example.org/qr.png"))
    assert (photo.method, photo.photo) == ("sendPhoto", "https://example.org/qr.png")
    assert text.text == "Mã QR khảo sát"


def test_short_text_is_one_part() -> None:
    assert split_text("Xin chào") == ["Xin chào"]
    assert split_text("   ") == []


def test_long_text_is_cut_between_paragraphs() -> None:
    paragraphs = [(f"Đoạn {i}: " + "chữ " * 300).strip() for i in range(10)]  # ~1.2k each
    parts = split_text("\n\n".join(paragraphs))
    assert all(utf16_length(p) <= 4096 for p in parts)
    assert len(parts) == 4
    assert "\n\n".join(parts) == "\n\n".join(paragraphs)
    assert all(p.startswith("Đoạn") for p in parts)


def test_a_paragraph_longer_than_the_limit_is_cut_between_sentences_then_words() -> None:
    sentences = " ".join(f"Câu số {i} nói về giấy tờ." for i in range(400))  # ~10k characters
    parts = split_text(sentences)
    assert all(utf16_length(p) <= 4096 for p in parts) and len(parts) == 3
    assert all(p.endswith(".") for p in parts)
    words = split_text("từ " * 3000)
    assert all(utf16_length(p) <= 4096 for p in words)
    assert " ".join(words).split() == ["từ"] * 3000


def test_the_limit_counts_utf16_units_so_emoji_count_twice() -> None:
    parts = split_text("😀" * 3000)  # 6000 UTF-16 units, no spaces to cut at
    assert [utf16_length(p) for p in parts] == [4096, 1904]
    assert "".join(parts) == "😀" * 3000


def test_a_prompt_that_expects_an_answer_opens_the_reply_box() -> None:
    [part] = render(Reply("Trả lời vào tin nhắn này", expect_answer=True))
    assert isinstance(part.markup, ForceReply)
    [plain] = render(Reply("Không cần trả lời"))
    assert plain.markup is None
