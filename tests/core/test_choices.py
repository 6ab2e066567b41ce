"""Typing a number or an option's words instead of pressing a button."""

from bot.choices import numbered_text, offered, resolve
from bot.types import Button, Reply

CHOICES = [
    ["Làm giấy khai sinh", "p:1.001193"],
    ["Bản sao giấy khai sinh", "p:2.000635"],
    ["Về menu chính", "m"],
]


def test_a_bare_number_picks_that_option() -> None:
    assert resolve("2", CHOICES) == "p:2.000635"
    assert resolve(" 1. ", CHOICES) == "p:1.001193"
    assert resolve("số 3", CHOICES) == "m"
    assert resolve("chon 2", CHOICES) == "p:2.000635"


def test_a_number_outside_the_list_is_not_a_choice() -> None:
    assert resolve("4", CHOICES) is None
    assert resolve("0", CHOICES) is None


def test_the_options_words_pick_it_with_or_without_accents() -> None:
    assert resolve("ve menu chinh", CHOICES) == "m"
    assert resolve("Làm giấy khai sinh", CHOICES) == "p:1.001193"


def test_other_text_is_not_a_choice() -> None:
    assert resolve("khai sinh ở đâu", CHOICES) is None
    assert resolve("2 con thì sao", CHOICES) is None
    assert resolve("2", []) is None


def test_a_label_that_starts_with_the_number_wins_over_position() -> None:
    scale = [
        ["5 - Rất hài lòng", "r:5"],
        ["4 - Hài lòng", "r:4"],
        ["1 - Rất không hài lòng", "r:1"],
    ]
    assert resolve("5", scale) == "r:5"
    assert resolve("1", scale) == "r:1"


def test_numbering_counts_only_pressable_buttons_and_lists_links() -> None:
    reply = Reply(
        "Chọn:",
        (
            Button("Giấy tờ", "p:x:d"),
            Button("Nộp trực tuyến", url="https://dichvucong.gov.vn"),
            Button("Menu", "m"),
        ),
    )
    assert numbered_text(reply).splitlines() == [
        "Chọn:",
        "1. Giấy tờ",
        "Nộp trực tuyến: https://dichvucong.gov.vn",
        "2. Menu",
        "(Gõ số thứ tự để chọn)",
    ]
    assert offered([reply]) == [["Giấy tờ", "p:x:d"], ["Menu", "m"]]
