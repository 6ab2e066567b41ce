"""What residents (and scripts pretending to be residents) can type, for property tests.

Texts mix Vietnamese with the things that break naive code: emoji and joiners, control
characters and NUL, right-to-left marks, combining marks on their own, lone surrogates
(a JSON body can carry ``"\\ud800"``, so the web chat and the webhooks can), words that
look like commands, codes and numbers, and texts of up to 100,000 characters.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

VIETNAMESE_WORDS = (
    "khai sinh",
    "đăng ký kết hôn",
    "sổ đỏ",
    "lam giay khai sinh can gi",
    "phí",
    "ở đâu",
    "ddang kys",
    "cccd",
    "ko",
    "đc",
    "hoà",
    "thuỷ",
    "Nguyễn Văn An",
    "0912345678",
    "phản ánh",
    "đèn đường hỏng",
    "tôi muốn gặp cán bộ",
    "cảm ơn",
    "đánh giá",
)
NASTY = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\r\n\r\n",
    "\t",
    "\x7f",
    "\u202e",
    "\u200f",
    "\u200d",
    "\ufeff",
    "\u0301",
    "\ud800",
    "a\udfffb",
    "🙂",
    "👨‍👩‍👧‍👦",
    "🇻🇳",
    "%s%n{0}",
    "<script>alert(1)</script>",
    "'; DROP TABLE inbox; --",
    '=HYPERLINK("x")',
    "null",
    "/start",
    "/start dg_x_y_zzzzzzzzzzzzzzzz",
    "/huy",
    "/traloi",
    "/tracuu PA-",
    "#1",
    "1",
    "2",
    "0",
    "99",
    "-1",
    "số 3",
    "PA-7K3M2Q",
    "pa 7k3m2q",
    "DG-7K3M-2Q9X",
    "1.001193",
    "\u0110\u0111",
    "ǅ",
    "İ",
    "ß",
    "ﬀ",
    "𝕜𝕙𝕒𝕚 𝕤𝕚𝕟𝕙",
    "٣",
    "١٢٣٤٥٦٧٨٩٠",
)
BUTTON_PREFIXES = (
    "m",
    "m:ask",
    "m:info",
    "m:fb",
    "m:rate",
    "m:browse",
    "x",
    "pa:cat:",
    "pa:skip",
    "pa:next",
    "pa:anon",
    "pa:contact",
    "pa:agree",
    "pa:disagree",
    "pa:send",
    "pa:edit",
    "pa:done",
    "pa:mine",
    "pa:view:",
    "pa:fu:",
    "pa:forget:",
    "sa:",
    "sv:",
    "sc",
    "sk:",
    "p:",
    "f:",
    "fp:",
    "ck:",
    "st:",
    "st:take:",
    "st:close:",
    "st:reply:",
    "xa:",
)

# Any code point, surrogates included (what a JSON string can carry).
any_char = st.characters(codec=None, exclude_categories=())
any_text = st.text(any_char, max_size=60)


def _long(parts: tuple[str, int]) -> str:
    piece, size = parts
    piece = piece or "a"
    return (piece * (size // len(piece) + 1))[:size]


long_text = st.tuples(
    st.text(any_char, min_size=1, max_size=8), st.sampled_from((4097, 20_000, 100_000))
).map(_long)


def mixed(pieces: list[str]) -> str:
    return "".join(pieces)


resident_text = st.one_of(
    st.sampled_from(NASTY),
    any_text,
    st.lists(
        st.one_of(st.sampled_from(VIETNAMESE_WORDS), st.sampled_from(NASTY), any_text),
        max_size=5,
    ).map(" ".join),
    long_text,
)
"""Anything at all; the processor must cope (channels may refuse some before it)."""

button_payload = st.one_of(
    st.builds(lambda p, s: p + s, st.sampled_from(BUTTON_PREFIXES), any_text),
    st.text(any_char, min_size=1, max_size=64),
).map(lambda p: p[:64] or "m")
"""A stale, forged or garbled button press: a known prefix with any suffix, or noise."""


# --- JSON shaped like the captured payloads, then mutated ---------------------------------

json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    any_text,
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(any_text, inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, *rest = path
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = _replace(value[head], tuple(rest), new)
    return copy


@st.composite
def mutated(draw: st.DrawFn, originals: list[dict[str, Any]]) -> Any:
    """A captured payload with a few of its values (or whole branches) replaced."""
    value: Any = draw(st.sampled_from(originals))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(_paths(value)))
        value = _replace(value, path, draw(json_value))
    return value


NASTY_BODIES = (
    b"",
    b"null",
    b"[]",
    b"{}",
    b"\xff\xfe\x00",
    b'"\\ud800"',
    b"[" * 100_000,  # json.loads raises RecursionError, not ValueError
    b'{"update_id": 1, "event_name": "user_send_text", "x": NaN, "y": -Infinity}',
    b'{"update_id": 1e400}',
)


def _encodings(value: Any) -> st.SearchStrategy[bytes]:
    return st.sampled_from(
        [
            json.dumps(value).encode(),
            json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass"),
        ]
    )


def _cut(body: bytes) -> st.SearchStrategy[bytes]:
    return st.integers(min_value=0, max_value=len(body)).map(lambda n: body[:n])


def webhook_body(originals: list[dict[str, Any]]) -> st.SearchStrategy[bytes]:
    """A body a webhook may receive: a mutated capture, a cut one, noise, known traps."""
    as_json = mutated(originals).flatmap(_encodings)
    return st.one_of(
        as_json,
        as_json,
        as_json.flatmap(_cut),
        st.binary(max_size=200),
        st.sampled_from(NASTY_BODIES),
    )


def examples(n: int) -> settings:
    """``n`` examples under the ``ci`` profile, proportionally more under ``dev``."""
    current = settings.default or settings.get_profile("ci")
    scale = current.max_examples / settings.get_profile("ci").max_examples
    return settings(max_examples=max(1, int(n * scale)))
