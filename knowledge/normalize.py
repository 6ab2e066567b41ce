"""Text normalisation for residents' messages and catalogue text.

Residents type with or without diacritics, with old or new tone placement ("hoà" / "hòa"),
with leftover telex keys ("ddang kys") and with i/y spelling variants ("đăng kí"). The
matcher compares words, so every such variant must collapse to one canonical spelling
before anything else happens:

- ``normalize`` keeps diacritics (they disambiguate "bán" / "bạn" / "ban") but canonicalises
  them: NFC, lower case, punctuation to spaces, tone marks placed the traditional way
  ("hòa", "thủy", the spelling of the national portal), "kí"/"lí" written "ký"/"lý", and
  telex leftovers decoded when the result is a well-formed Vietnamese syllable.
- ``fold`` removes the diacritics on top of that; "đ" is mapped to "d" by hand because it
  has no Unicode decomposition.

Abbreviations and folk terms are not expanded here: they are a staff-editable list
(``knowledge/synonyms.py``), and the generic chat shorthand lives next to it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "clause_starts",
    "fold",
    "fold_word",
    "has_diacritics",
    "is_syllable",
    "normalize",
    "tokens",
]

# Combining marks of the five tones (huyền, sắc, hỏi, ngã, nặng).
_TONES = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}
_TELEX_TONES = {"f": "\u0300", "s": "\u0301", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
_VOWELS = frozenset("aăâeêioôơuưy")
_MODIFIED_VOWELS = frozenset("ăâêôơư")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzđăâêôơư")

# A Vietnamese syllable, folded: onset, nucleus, final. Used to accept a telex decoding
# only when it yields a real syllable (so "thanks" or "google" are left alone).
_ONSETS = "ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|b|c|d|g|h|k|l|m|n|p|r|s|t|v|x"
_NUCLEI = (
    "oai|oay|oao|oeo|uay|uoi|uou|uya|uye|uyu|ieu|yeu|uai"
    "|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|ua|ue|ui|uo|uu|uy|ye|a|e|i|o|u|y"
)
_SYLLABLE_RE = re.compile(rf"^(?:{_ONSETS})?(?:{_NUCLEI})(?:ch|nh|ng|c|m|n|p|t)?$")
# Stop finals only take the rising or the heavy tone.
_STOP_FINAL_RE = re.compile(r"(?:c|ch|p|t)$")

# ASCII words that look like telex but are not (English, chat words).
_TELEX_EXEMPT = frozenset(
    {"yes", "ads", "bus", "sos", "pls", "plus", "news", "fax", "tax", "box", "see", "tree"}
)

# Common words a half-decoded telex word most likely meant, keyed by (folded, tone).
# "ddang kys" decodes to "đang ký": the breve was never typed, yet "đăng" is what people
# write in a procedure question. Only the modifier marks are repaired; the tone the
# resident typed must agree, so "hồ" (sổ hồ sơ) never becomes "hộ".
_TELEX_REPAIRS = (
    "đăng ký kết hôn chứng thực bản sao khai sinh tử thường trú tạm vắng căn cước hộ khẩu"
    " giấy tờ phí tiền được không ở đâu cần gì những làm lại cấp đổi xác nhận tình trạng"
    " độc thân nuôi xây dựng phép đất sổ đỏ thừa kế chúc hợp đồng ủy quyền chữ nghèo"
    " trích lục bảo hiểm y tế xã hội thẻ bao nhiêu lâu ngày tuổi mất hướng dẫn thủ tục"
    " nghĩa vụ quân sự người nước ngoài chuyển"
)

# A word is a run of letters and digits; "2/10", "1.001193", "8.000" stay one word.
_WORD_RE = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+(?:(?<=\d)[./,](?=\d)[^\W_]+)*")


def _split_tone(word: str) -> tuple[str, str | None, int]:
    """The word without its tone mark, the mark, and how many marks there were."""
    decomposed = unicodedata.normalize("NFD", word)
    marks = [c for c in decomposed if c in _TONES]
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    return base, (marks[0] if marks else None), len(marks)


def _tone_position(base: str) -> int | None:
    """Index of the vowel that carries the tone, by the traditional rule.

    A vowel with a circumflex, breve or horn takes it (the last one: "ươ" -> ơ); else in a
    closed syllable the last vowel of the nucleus ("hoàng", "huỳnh"); else in an open one
    the first of two vowels ("hòa", "thủy", "mùa") or the middle of three ("ngoài").
    """
    start = 0
    if (base.startswith("qu") or base.startswith("gi")) and len(base) > 2 and base[2] in _VOWELS:
        start = 2
    idx = [i for i in range(start, len(base)) if base[i] in _VOWELS]
    if not idx:
        # "gì": the i of "gi" is the nucleus when nothing follows.
        idx = [i for i in range(len(base)) if base[i] in _VOWELS]
        if not idx:
            return None
    # The nucleus is one contiguous run of vowels.
    first, last = idx[0], idx[-1]
    if last - first + 1 != len(idx):
        return None
    modified = [i for i in idx if base[i] in _MODIFIED_VOWELS]
    if modified:
        return modified[-1]
    if len(idx) == 1:
        return idx[0]
    if last < len(base) - 1:  # a final consonant follows
        return last
    if len(idx) == 2:
        return first
    return idx[1]


def _place_tone(base: str, tone: str) -> str | None:
    pos = _tone_position(base)
    if pos is None:
        return None
    return unicodedata.normalize("NFC", base[: pos + 1] + tone + base[pos + 1 :])


@lru_cache(maxsize=65536)
def _canonical_word(word: str) -> str:
    """One word with its tone in the canonical place and telex leftovers decoded."""
    if word.isascii():
        decoded = _decode_telex(word) if word.isalpha() else None
        return _iy(decoded or word)
    base, tone, count = _split_tone(word)
    if count == 1 and tone is not None and all(c in _LETTERS for c in base):
        word = _place_tone(base, tone) or word
    return _iy(word)


def _iy(word: str) -> str:
    """Write "kí", "lí", "mĩ" the portal's way ("ký", "lý", "mỹ"); "ki" becomes "ky"."""
    if len(word) == 2 and word[0] in "kl":
        base, tone, _ = _split_tone(word)
        if base[1] == "i":
            return unicodedata.normalize("NFC", word[0] + "y" + (tone or ""))
    elif word == "mĩ":
        return "mỹ"
    return word


def _decode_telex(word: str) -> str | None:
    """Decode telex keys left in an ASCII word, or None when it is not telex."""
    if len(word) < 2 or word in _TELEX_EXEMPT or not word.isalpha():
        return None
    s = word
    tone: str | None = None
    if s[-1] in _TELEX_TONES and any(c in "aeiouy" for c in s[:-1]):
        tone = _TELEX_TONES[s[-1]]
        s = s[:-1]
    if s.startswith("dd"):
        s = "đ" + s[2:]
    s = s.replace("aa", "â").replace("ee", "ê")
    s = re.sub(r"oo(?!ng|c)", "ô", s)  # "xoong", "moóc" spell a real "oo"
    s = s.replace("uow", "ươ").replace("uwow", "ươ").replace("uw", "ư").replace("ow", "ơ")
    s = s.replace("aw", "ă")
    if s.endswith("w"):
        # Modifier typed after the final consonant: "dangw" -> "dăng".
        s = s[:-1]
        m = re.search(r"(uo|[aou])(?=[^aeiouy]*$)", s)
        if not m:
            return None
        repl = {"uo": "ươ", "a": "ă", "o": "ơ", "u": "ư"}[m.group(1)]
        s = s[: m.start()] + repl + s[m.end() :]
    if "w" in s:
        return None
    if s == word:
        return None
    folded = fold_word(s)
    if not _SYLLABLE_RE.match(folded):
        return None
    if tone is not None:
        if _STOP_FINAL_RE.search(folded) and tone not in ("\u0301", "\u0323"):
            return None
        placed = _place_tone(s, tone)
        if placed is None:
            return None
        s = placed
    return _TELEX_REPAIR_MAP.get(_repair_key(s), s)


def _repair_key(word: str) -> tuple[str, str | None]:
    _, tone, _ = _split_tone(word)
    return fold_word(word), tone


_FOLD_TABLE: dict[int, str] = {}
for _cp in list(range(0x00C0, 0x0250)) + list(range(0x1E00, 0x1F00)):
    _ch = chr(_cp)
    _base = "".join(c for c in unicodedata.normalize("NFD", _ch) if not unicodedata.combining(c))
    if _base != _ch:
        _FOLD_TABLE[_cp] = _base
_FOLD_TABLE[ord("đ")] = "d"
_FOLD_TABLE[ord("Đ")] = "D"
for _mark in range(0x0300, 0x0370):
    _FOLD_TABLE[_mark] = ""


def fold_word(word: str) -> str:
    """Strip diacritics from already-normalised text (no other cleaning)."""
    return word.translate(_FOLD_TABLE)


def is_syllable(folded: str) -> bool:
    """True when a folded word is spelt like a Vietnamese syllable ("chim"; not "sinhh")."""
    return bool(_SYLLABLE_RE.match(folded))


def has_diacritics(word: str) -> bool:
    """True when the resident typed at least one accent (or đ) in this word."""
    return fold_word(word) != word


_TELEX_REPAIR_MAP: dict[tuple[str, str | None], str] = {}
for _w in _TELEX_REPAIRS.split():
    _w = unicodedata.normalize("NFC", _w)
    _TELEX_REPAIR_MAP[_repair_key(_w)] = _w


@lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    """Canonical lower-case spelling with diacritics kept; words separated by one space."""
    text = unicodedata.normalize("NFC", text).lower()
    return " ".join(_canonical_word(w) for w in _WORD_RE.findall(text))


def fold(text: str) -> str:
    """``normalize`` without diacritics: the form that matches text typed without accents."""
    return fold_word(normalize(text))


def tokens(text: str) -> list[str]:
    """The normalised words of a text."""
    return normalize(text).split()


_CLAUSE_PUNCT_RE = re.compile(r"[,.;:!?…\n]")


def clause_starts(text: str) -> frozenset[int]:
    """Positions (in ``tokens(text)``) of the words that open a clause after punctuation.

    Normalisation drops punctuation, but a comma still says where a thought ends: "đi
    khám tự trả tiền vì chưa có thẻ, xin thanh toán lại" asks for a refund after giving
    the reason.
    """
    text = unicodedata.normalize("NFC", text).lower()
    out: set[int] = set()
    prev_end = 0
    for i, m in enumerate(_WORD_RE.finditer(text)):
        if i > 0 and _CLAUSE_PUNCT_RE.search(text, prev_end, m.start()):
            out.add(i)
        prev_end = m.end()
    return frozenset(out)
