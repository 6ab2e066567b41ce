"""Every parser fed arbitrary input: it answers or refuses in its documented way, never
with an unexpected exception, and what it returns keeps its promises.

The functions a webhook runs *before* the update is stored (admission, keys, routing)
matter most: an exception there is a 500, which the platform redelivers forever.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from bot import choices
from bot.channels import webchat
from bot.channels.base import parse_command
from bot.channels.telegram import ingress as telegram_ingress
from bot.channels.telegram.parse import TelegramChannel, sender_and_chat
from bot.channels.telegram.render import render as telegram_render
from bot.channels.telegram.render import split_text as telegram_split
from bot.channels.telegram.render import utf16_length
from bot.channels.zalo_bot.parse import BadUpdate, ZaloBot, unwrap
from bot.channels.zalo_bot.render import render as zalo_bot_render
from bot.channels.zalo_bot.render import split_text as zalo_split
from bot.channels.zalo_oa import signature
from bot.channels.zalo_oa.parse import ZaloOA, button_payload
from bot.channels.zalo_oa.render import query_text
from bot.channels.zalo_oa.render import render as zalo_oa_render
from bot.channels.zalo_oa.webhook import for_another_oa
from bot.communes import CommuneProfile
from bot.sanitize import clean_incoming, clean_json, clean_text, is_place
from bot.types import Button, Incoming, Reply, UserRef
from complaints import codes
from complaints.privacy import clean_name, mask_phone, normalize_phone, redact, valid_name
from knowledge import intents
from knowledge.normalize import fold, normalize, tokens
from knowledge.search import Matcher, build_matcher
from surveys import tokens as survey_tokens
from tests.channels.telegram.conftest import update as telegram_fixture
from tests.channels.zalo.helpers import fixture as zalo_fixture
from tests.properties.strategies import (
    any_text,
    examples,
    json_value,
    long_text,
    mutated,
    resident_text,
)

# --- JSON shaped like the captured payloads, then mutated -----------------------------------

TELEGRAM = [
    telegram_fixture(name)
    for name in (
        "text",
        "callback_query",
        "start_payload",
        "photo",
        "contact_own",
        "location",
        "document",
        "group_staff_reply",
        "edited_message",
    )
]
ZALO_BOT = [
    zalo_fixture("bot", n)
    for n in ("text.json", "text_wrapped.json", "image.json", "sticker.json", "group_text.json")
]
ZALO_OA = [
    zalo_fixture("oa", n)
    for n in (
        "user_send_text.json",
        "button_tap.json",
        "follow.json",
        "user_send_image.json",
        "user_send_location.json",
    )
]


def assert_incoming(messages: list[Incoming]) -> None:
    for msg in messages:
        assert isinstance(msg.text, str)
        assert isinstance(msg.user.user_id, str) and isinstance(msg.user.chat_id, str)
        assert msg.payload is None or isinstance(msg.payload, str)
        assert msg.command is None or re.fullmatch(r"[a-z0-9_]{1,32}", msg.command)


# --- Telegram -------------------------------------------------------------------------------


def _commune() -> CommuneProfile:
    return CommuneProfile(
        id=1,
        slug="default",
        name="Xã An Bình",
        staff_chats=(("telegram", "-1001987654321"),),
        staff_users=frozenset({"telegram:6200000001"}),
    )


@given(update=st.one_of(mutated(TELEGRAM), json_value))
def test_telegram_admission_and_keys_never_fail_before_storing(update: Any) -> None:
    if not telegram_ingress.is_update(update):
        return  # stored as poison under a hash of the body, see the webhook fuzz tests
    channel = TelegramChannel(["motcua_anbinh_bot"])
    telegram_ingress.admitted(_commune(), update)
    telegram_ingress.callback_query_id(update)
    sender_and_chat(update)
    assert isinstance(channel.update_key(update), str)
    assert isinstance(channel.conversation_key(update), str)


@given(update=mutated(TELEGRAM))
def test_telegram_parse_gives_messages_or_refuses_the_update(update: Any) -> None:
    assume(telegram_ingress.is_update(update))
    try:
        messages = TelegramChannel(["motcua_anbinh_bot"]).parse(update)
    except Exception:
        return  # the processor records it as a poison update (tests/core, channel tests)
    assert_incoming(messages)


# --- Zalo Bot and Zalo OA -------------------------------------------------------------------


@given(body=st.one_of(mutated(ZALO_BOT), json_value))
def test_zalo_bot_updates_are_unwrapped_keyed_and_parsed_or_refused(body: Any) -> None:
    try:
        update = unwrap(body)
    except BadUpdate:
        return
    channel = ZaloBot()
    key = channel.update_key(update)
    assert isinstance(key, str) and 0 < len(key) <= 200
    assert isinstance(channel.conversation_key(update), str)
    assert_incoming(channel.parse(update))


@given(event=st.one_of(mutated(ZALO_OA), st.dictionaries(any_text, json_value, max_size=4)))
def test_zalo_oa_events_are_keyed_and_parsed_without_failing(event: Any) -> None:
    assume(isinstance(event, dict))
    channel = ZaloOA()
    key = channel.update_key(event)
    assert isinstance(key, str) and 0 < len(key) <= 200
    assert isinstance(channel.conversation_key(event), str)
    for_another_oa(event, "579745863508352884")
    assert_incoming(channel.parse(event))


@given(body=st.binary(max_size=300), header=st.one_of(st.none(), any_text))
@example(body=b'{"timestamp": 1, "app_id": 5}', header="mac=00")
@example(body=b'{"timestamp": {"a": 1}}', header="mac=")
def test_zalo_oa_signature_check_refuses_anything_unsigned(body: bytes, header: str | None) -> None:
    assert signature.verify(body, header, app_id="app", secret_key="key") is False


@given(label=any_text, payload=st.from_regex(r"[^\s#]{1,64}", fullmatch=True))
def test_a_zalo_oa_query_button_gives_back_its_payload(label: str, payload: str) -> None:
    assume(label.strip())
    assert button_payload(query_text(Button(label, payload))) == payload


# --- web chat -------------------------------------------------------------------------------


@given(
    body=st.one_of(
        json_value,
        st.fixed_dictionaries(
            {},
            optional={
                "session": st.one_of(
                    st.from_regex(r"[A-Za-z0-9_-]{8,64}", fullmatch=True), json_value
                ),
                "text": st.one_of(resident_text, json_value),
                "payload": st.one_of(any_text, json_value),
                "id": st.one_of(
                    st.from_regex(r"[A-Za-z0-9_.:-]{1,100}", fullmatch=True), json_value
                ),
            },
        ),
    )
)
def test_the_web_chat_accepts_a_valid_body_or_says_what_is_wrong(body: Any) -> None:
    try:
        payload = webchat.validate(body)
    except webchat.BadRequest as exc:
        assert str(exc)
        return
    assert len(payload["text"]) <= webchat.MAX_TEXT
    assert_incoming(webchat.WebChat().parse(payload))


@given(text=resident_text)
@example(text="/start@motcua_bot abc")
@example(text="/" + "a" * 40)
def test_commands_are_read_or_left_as_text(text: str) -> None:
    command, argument = parse_command(text)
    if command is not None:
        assert re.fullmatch(r"[a-z0-9_]{1,32}", command)
        assert argument is None or argument == argument.strip()


# --- cleaning what enters -------------------------------------------------------------------


@given(text=resident_text)
@example(text="a\x00b\ud800c\x1b[0m\n\t")
def test_cleaned_text_is_storable_and_keeps_what_people_read(text: str) -> None:
    cleaned = clean_text(text)
    cleaned.encode("utf-8")  # no lone surrogates left
    assert "\x00" not in cleaned
    assert clean_text(cleaned) == cleaned
    readable = [ch for ch in text if ch in "\t\n\r" or (ch >= " " and ch != "\x7f")]
    assert len(cleaned) == len(readable)  # only controls dropped, surrogates replaced


@given(value=json_value)
def test_cleaned_json_is_storable_json(value: Any) -> None:
    json.dumps(clean_json(value), ensure_ascii=False).encode("utf-8")


@given(text=resident_text, name=st.one_of(st.none(), any_text))
def test_a_cleaned_message_is_the_same_message_when_nothing_needed_cleaning(
    text: str, name: str | None
) -> None:
    msg = Incoming(UserRef("web", "abcdefgh", "abcdefgh", name), text=text)
    cleaned = clean_incoming(msg)
    assert cleaned.text == clean_text(text)
    if clean_text(text) == text and (name is None or clean_text(name) == name):
        assert cleaned is msg


# --- knowledge ------------------------------------------------------------------------------


@cache
def _matcher() -> Matcher:
    return build_matcher()


@given(text=resident_text)
@example(text="¹²³ khai sinh")
@example(text="lớp ¹ tuổi")
@example(text="Đăng ký khai sinh " * 200)
def test_normalising_is_stable_and_search_always_decides(text: str) -> None:
    normalized = normalize(text)
    assert normalize(normalized) == normalized
    assert fold(normalized) == fold(text)
    assert tokens(text) == normalized.split()
    result = _matcher().search(text[:2000])
    assert result.decision in ("answer", "clarify", "none")
    assert len(result.offered) == (result.n_offered if result.decision == "clarify" else 0)
    intents.detect_intent(text[:2000])
    intents.detect_aspect(text[:2000])


@pytest.mark.parametrize("size", [20_000, 100_000])
def test_search_of_a_very_long_message_is_bounded(size: int) -> None:
    # The processor hands the matcher whatever the channel carried.
    text = ("đăng ký khai sinh cho con tôi ở đâu " * (size // 30))[:size]
    started = datetime.now(UTC)
    assert _matcher().search(text).decision in ("answer", "clarify", "none")
    assert datetime.now(UTC) - started < timedelta(seconds=5)


# --- typed choices --------------------------------------------------------------------------

offered_choices = st.lists(
    st.tuples(any_text.filter(str.strip), st.text(min_size=1, max_size=10)).map(list),
    max_size=6,
)


@given(text=resident_text, offered=offered_choices)
@example(text="¹", offered=[["Có", "yes"]])
@example(text="số 0", offered=[["Có", "yes"]])
@example(text="99", offered=[["Có", "yes"]])
def test_a_typed_choice_is_one_of_the_offered_payloads_or_none(
    text: str, offered: list[list[str]]
) -> None:
    chosen = choices.resolve(text, offered)
    assert chosen is None or chosen in [payload for _, payload in offered]


@given(offered=offered_choices.filter(bool), number=st.integers(min_value=1, max_value=6))
def test_typing_the_number_shown_picks_that_choice(offered: list[list[str]], number: int) -> None:
    assume(number <= len(offered))
    # Labels that start with a number of their own ("5 - Rất hài lòng") take precedence.
    assume(not any(re.match(r"^\D{0,3}\d", choices._fold(label)) for label, _ in offered))
    reply = Reply("Chọn", tuple(Button(label, payload) for label, payload in offered))
    assert f"{number}. {offered[number - 1][0]}" in choices.numbered_text(reply)
    assert choices.resolve(str(number), offered) == offered[number - 1][1]


# --- codes, phones, names -------------------------------------------------------------------


@given(text=resident_text)
@example(text="dg ß7k3-m2q9")
@example(text="mã DG-OOOO-1111")
def test_survey_codes_found_in_any_text_are_well_formed(text: str) -> None:
    for bare in (False, True):
        code = survey_tokens.find_code(text, bare=bare)
        assert code is None or (
            len(code) == survey_tokens.CODE_LENGTH
            and all(ch in survey_tokens.CODE_ALPHABET for ch in code)
        )
    if survey_tokens.looks_like_token(text):
        with pytest.raises(survey_tokens.TokenError):
            survey_tokens.read_token("another secret", 1, text)


@given(code=st.text(survey_tokens.CODE_ALPHABET, min_size=8, max_size=8), noise=any_text)
def test_a_survey_code_is_found_however_it_is_typed(code: str, noise: str) -> None:
    assume(any(ch.isdigit() for ch in code))
    typed = survey_tokens.format_code(code)
    assert survey_tokens.find_code(f"mã của tôi {typed.lower()} ạ") == code
    assert survey_tokens.find_code(typed.replace("-", " ")) == code


@given(
    invitation=st.integers(min_value=1, max_value=2**40),
    hours=st.integers(min_value=1, max_value=24 * 365 * 30),
)
def test_a_survey_token_reads_back_only_with_its_secret(invitation: int, hours: int) -> None:
    expires = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=hours)
    token = survey_tokens.make_token("secret", 7, invitation, expires)
    assert len(token) <= 64 and survey_tokens.looks_like_token(token)
    assert survey_tokens.read_token("secret", 7, token).invitation_id == invitation
    with pytest.raises(survey_tokens.TokenError):
        survey_tokens.read_token("secret", 8, token)


@given(text=resident_text)
def test_complaint_codes_found_in_any_text_are_well_formed(text: str) -> None:
    pattern = rf"PA-[{codes.ALPHABET}]{{{codes.LENGTH}}}"
    for code in codes.find_codes(text):
        assert re.fullmatch(pattern, code)
    found = codes.normalize(text)
    assert found is None or re.fullmatch(pattern, found)


@given(code=st.text(codes.ALPHABET, min_size=codes.LENGTH, max_size=codes.LENGTH))
def test_a_complaint_code_is_read_back_however_it_is_typed(code: str) -> None:
    for typed in (f"PA-{code}", f"pa {code.lower()}", f"mã PA.{code} ạ"):
        assert codes.normalize(typed) == f"PA-{code}"


@given(text=resident_text)
@example(text="٠٩١٢٣٤٥٦٧٨")  # Arabic-Indic digits match \d
@example(text="０９１２３４５６７８")  # full-width digits, as some keyboards type them
@example(text="0٩١٢٣٤٥٦٧٨")
def test_a_phone_number_is_stored_as_ascii_digits_or_refused(text: str) -> None:
    phone = normalize_phone(text)
    assert phone is None or re.fullmatch(r"0[0-9]{9,10}", phone)
    if phone is not None:
        assert phone[-3:] in mask_phone(phone)


def test_a_phone_number_typed_in_full_width_digits_is_understood() -> None:
    assert normalize_phone("０９１２ ３４５ ６７８") == "0912345678"


@given(text=resident_text, phone=st.from_regex(r"0[35789][0-9]{8}", fullmatch=True))
def test_a_phone_number_typed_into_a_complaint_is_redacted(text: str, phone: str) -> None:
    spaced = f"{phone[:4]} {phone[4:7]} {phone[7:]}"
    for typed in (phone, spaced):
        assert phone not in redact(f"{text} gọi {typed} nhé").replace(" ", "")


@given(name=resident_text)
@example(name=unicodedata.normalize("NFD", "Nguyễn Văn An"))
def test_a_name_is_judged_the_same_whatever_unicode_form_it_comes_in(name: str) -> None:
    nfc, nfd = unicodedata.normalize("NFC", name), unicodedata.normalize("NFD", name)
    assert valid_name(nfc) == valid_name(nfd)
    if valid_name(name):
        assert clean_name(name) == unicodedata.normalize("NFC", clean_name(name))


# --- what the channels send back ------------------------------------------------------------


@given(text=st.one_of(resident_text, long_text))
def test_long_replies_are_cut_into_parts_each_channel_accepts(text: str) -> None:
    text = clean_text(text)
    for split, limit, measure in (
        (telegram_split, 4096, utf16_length),
        (zalo_split, 2000, utf16_length),
    ):
        parts = split(text)
        assert all(part and measure(part) <= limit for part in parts)
        assert "".join("".join(parts).split()) == "".join(text.split())


@given(
    latitude=st.one_of(st.sampled_from(["nan", "inf", "-Infinity", "91", "1e400"]), any_text),
    longitude=st.one_of(st.floats(), any_text),
)
@example(latitude="nan", longitude="105.8")
def test_a_zalo_oa_location_is_a_place_on_earth_or_none(latitude: str, longitude: Any) -> None:
    event = zalo_fixture("oa", "user_send_location.json")
    event["message"]["attachments"][0]["payload"]["coordinates"] = {
        "latitude": latitude,
        "longitude": longitude,
    }
    [msg] = ZaloOA().parse(event)
    assert msg.location is None or is_place(msg.location)


reply_buttons = st.lists(
    st.builds(
        Button,
        any_text.filter(str.strip),
        st.from_regex(r"[a-z]{1,3}:[A-Za-z0-9:_-]{0,40}", fullmatch=True),
    ),
    max_size=8,
).map(tuple)


@examples(60)
@given(text=st.one_of(resident_text, long_text), buttons=reply_buttons)
@example(text="<&>" * 3000, buttons=())
def test_any_reply_renders_into_messages_each_channel_accepts(
    text: str, buttons: tuple[Button, ...]
) -> None:
    reply = Reply(clean_text(text), buttons)
    for part in telegram_render(reply):
        if part.text is not None:
            assert 0 < utf16_length(html.unescape(part.text)) <= 4096  # counted after parsing
    for call in zalo_bot_render("chat", reply):
        assert 0 < utf16_length(call.body.get("text", "x")) <= 2000
    for body in zalo_oa_render("user", reply):
        assert utf16_length(body["message"].get("text", "x")) <= 2000
        for button in body["message"].get("attachment", {}).get("payload", {}).get("buttons", []):
            assert button_payload(button["payload"]) is not None
