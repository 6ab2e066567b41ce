"""The normaliser: one spelling for every way residents type the same words."""

from __future__ import annotations

import unicodedata

import pytest

from knowledge.lexicon import Words
from knowledge.normalize import clause_starts, fold, has_diacritics, normalize, tokens
from knowledge.synonyms import load_synonyms


def test_decomposed_input_is_composed_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Đăng ký khai sinh")
    assert decomposed != "Đăng ký khai sinh"
    assert normalize(decomposed) == "đăng ký khai sinh"


def test_lower_case_punctuation_and_spaces_are_cleaned() -> None:
    assert normalize("  Làm  GIẤY khai-sinh ở đâu???  ") == "làm giấy khai sinh ở đâu"
    assert normalize("👍") == ""


def test_numbers_keep_their_separators() -> None:
    assert tokens("chấm 2/10 nhé") == ["chấm", "2/10", "nhé"]
    assert "1.001193" in tokens("thủ tục 1.001193")
    assert "8.000" in tokens("lệ phí 8.000 đồng")


def test_d_stroke_is_kept_by_normalize_and_folded_to_d() -> None:
    assert normalize("Đổi sổ đỏ") == "đổi sổ đỏ"
    assert fold("Đổi sổ đỏ") == "doi so do"
    assert fold("ĐĂNG KÝ") == "dang ky"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("hoà giải", "hòa giải"),
        ("thuỷ lợi", "thủy lợi"),
        ("sức khoẻ", "sức khỏe"),
        ("tạp hoá", "tạp hóa"),
        ("xoá đăng ký", "xóa đăng ký"),
        ("Thuý", "thúy"),
    ],
)
def test_old_and_new_tone_placement_are_unified(typed: str, canonical: str) -> None:
    assert normalize(typed) == canonical


@pytest.mark.parametrize(
    "word", ["hoàng", "huỳnh", "người", "giữa", "quý", "gì", "khuyết", "ngoài"]
)
def test_tone_placement_leaves_regular_spellings_alone(word: str) -> None:
    assert normalize(word) == word


def test_i_and_y_spellings_of_ky_and_ly_are_unified() -> None:
    assert normalize("đăng kí tạm trú") == "đăng ký tạm trú"
    assert normalize("lí lịch") == "lý lịch"
    assert fold("dang ki") == "dang ky"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("ddang kys khai sinh", "đăng ký khai sinh"),
        ("ddawng kys", "đăng ký"),
        ("chuwngs thuwcj banr sao", "chứng thực bản sao"),
        ("nguowif nhaf", "người nhà"),
        ("kets hon", "kết hon"),
        ("tuoir", "tuổi"),
    ],
)
def test_telex_leftovers_are_decoded(typed: str, meant: str) -> None:
    assert normalize(typed) == meant


@pytest.mark.parametrize("word", ["thanks", "google", "ok", "vneid", "cccd", "online", "hi", "bye"])
def test_words_that_only_look_like_telex_are_left_alone(word: str) -> None:
    assert normalize(word) == word


def test_has_diacritics_tells_typed_accents_apart() -> None:
    assert has_diacritics("bán")
    assert has_diacritics("đi")
    assert not has_diacritics("ban")


def expand(text: str) -> str:
    return load_synonyms().expand_abbreviations(Words.of(text)).text


def test_chat_shorthand_is_expanded() -> None:
    assert expand("lam dc ko") == "lam được không"
    assert expand("can j") == "can gì"
    assert expand("dki ntn") == "đăng ký như thế nào"


def test_paper_abbreviations_are_expanded() -> None:
    assert expand("mất gks") == "mất giấy khai sinh"
    assert expand("đổi cccd") == "đổi căn cước công dân"
    assert expand("cấp sđ lần đầu") == "cấp sổ đỏ lần đầu"
    assert expand("mua bhyt") == "mua bảo hiểm y tế"


def test_an_abbreviation_with_two_meanings_reads_its_neighbour() -> None:
    assert expand("nhập hk cho con") == "nhập hộ khẩu cho con"
    assert expand("làm được hk") == "làm được không"
    assert expand("bn tiền") == "bao nhiêu tiền"
    assert expand("bn ơi") == "bạn ơi"


def test_punctuation_marks_where_a_clause_starts() -> None:
    text = "đi khám tự trả tiền vì chưa có thẻ, xin thanh toán lại. Được không?"
    words = tokens(text)
    starts = clause_starts(text)
    assert [words[i] for i in sorted(starts)] == ["xin", "được"]
    assert clause_starts("khai sinh") == frozenset()
