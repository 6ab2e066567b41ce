"""Every step of every conversation, fed anything at all.

For each step of each flow (procedure questions, the complaint intake step by step, the
follow-up, the survey questionnaire, staff commands) a fresh resident is brought to the
step the way a resident gets there, then sends an arbitrary text or presses a stale,
forged or garbled button. Whatever arrives:

- no handler raises (the resident never gets the apology that an exception causes);
- the bot answers, in Vietnamese (staff chatter in the staff group is the one place
  where silence is right);
- the conversation is left in a state the handlers know, with data the database stores
  (the transaction commits on SQLite; ``test_database_accepts_nasty_text`` checks the
  characters PostgreSQL refuses on both backends).

Messages come in through the web chat's parser (``WebChat.parse``), which, unlike the
HTTP endpoint, takes texts of any length: Telegram and Zalo carry texts longer than the
web chat's 2,000 characters, and the processor must cope whatever the channel lets in.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import select

from bot import outbox
from bot.app import Runtime
from bot.channels import webchat
from bot.channels.base import parse_command
from bot.db.models import Conversation
from bot.processing import APOLOGY
from bot.types import Attachment, Button, Contact, Incoming, Location, Reply, UserRef
from complaints.codes import find_codes
from handlers import complaints, procedures, staff, surveys, texts
from tests.complaints.drivers import STAFF_GROUP, STAFF_IDS
from tests.dialogue import run_transcript
from tests.properties.strategies import any_text, button_payload, examples, resident_text
from tests.surveys.helpers import MORNING, set_clock, visit

KNOWN_STATES = frozenset(
    {
        procedures.CARD_STATE,
        procedures.CLARIFY_STATE,
        procedures.CHECKLIST_STATE,
        complaints.CATEGORY,
        complaints.REF,
        complaints.TEXT,
        complaints.EXTRAS,
        complaints.CONTACT,
        complaints.CONSENT,
        complaints.NAME,
        complaints.PHONE,
        complaints.CONFIRM,
        complaints.FOLLOWUP,
        surveys.CODE_STATE,
        surveys.QUESTION_STATE,
        surveys.COMMENT_STATE,
        surveys.CONTACT_STATE,
        staff.REPLY_STATE,
        staff.ASK_STATE,
    }
)
# Every message the bot writes is Vietnamese, and Vietnamese has letters English lacks.
VIETNAMESE = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.I
)
_users = itertools.count(1)


class Resident:
    """A resident whose messages reach the processor as their channel delivers them.

    On the web chat they go through ``WebChat.parse``; on Telegram (photos, locations,
    shared contacts) they are built as the Telegram parser builds them.
    """

    def __init__(self, runtime: Runtime, channel: str = webchat.NAME) -> None:
        self.runtime = runtime
        self.channel = channel
        self.user_id = f"prop{next(_users):06d}"
        self._n = 0

    async def send(self, text: str = "", payload: str | None = None, **extra: Any) -> list[Reply]:
        self._n += 1
        if self.channel == webchat.NAME:
            raw = {"session": self.user_id, "id": f"m{self._n}", "text": text, "payload": payload}
            [msg] = self.runtime.channels[webchat.NAME].parse(raw)
        else:
            command, argument = parse_command(text) if text.startswith("/") else (None, None)
            msg = Incoming(
                UserRef(self.channel, self.user_id, self.user_id, "Người dân"),
                text=text,
                command=command,
                payload=argument if command else payload,
                message_id=f"m{self._n}",
                **extra,
            )
        commune = self.runtime.communes.by_slug("default")
        assert commune is not None
        await self.runtime.processor.handle(commune, msg)
        return await outbox.take_for_pull(self.runtime.db, self.channel, self.user_id)

    async def say(self, text: str) -> list[Reply]:
        return await self.send(text=text)

    async def press(self, button: Button) -> list[Reply]:
        assert button.payload is not None
        return await self.send(payload=button.payload)


class Staff:
    """A listed staff member writing in the commune's staff group (Telegram)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._n = 0

    async def send(self, text: str = "", payload: str | None = None) -> list[Reply]:
        self._n += 1
        command, argument = parse_command(text) if text.startswith("/") else (None, None)
        msg = Incoming(
            UserRef("telegram", STAFF_IDS[0], STAFF_GROUP, "Chị Lan"),
            text=text,
            command=command,
            payload=argument if command else payload,
            is_group=True,
            message_id=f"staff-{self._n}",
        )
        commune = self.runtime.communes.by_slug("default")
        assert commune is not None
        await self.runtime.processor.handle(commune, msg)
        return await outbox.take_for_pull(self.runtime.db, "telegram", STAFF_GROUP)

    async def say(self, text: str) -> list[Reply]:
        return await self.send(text=text)


def assert_answered(replies: list[Reply], *, silence_allowed: bool = False) -> None:
    assert APOLOGY not in replies, "a handler raised"
    if not silence_allowed:
        assert replies, "the bot said nothing"
    for reply in replies:
        assert VIETNAMESE.search(reply.text), f"not Vietnamese: {reply.text[:200]!r}"
        for button in reply.buttons:
            assert button.label.strip()
            # Telegram's callback_data: 1-64 bytes.
            assert button.payload is None or 0 < len(button.payload.encode()) <= 64


async def assert_state_valid(runtime: Runtime, channel: str, user_id: str) -> None:
    async with runtime.db.read() as session:
        row = (
            await session.execute(
                select(Conversation).where(
                    Conversation.channel == channel, Conversation.user_id == user_id
                )
            )
        ).scalar_one()
    assert row.state is None or row.state in KNOWN_STATES, row.state
    assert row.state is None or row.expires_at is not None
    assert row.failures == 0
    json.dumps(row.data)  # what was stored reads back as plain JSON
    for label, payload in row.offered or []:
        assert isinstance(label, str) and isinstance(payload, str)


# --- how a resident reaches each step -------------------------------------------------------

Reach = Callable[[Resident, Runtime], Awaitable[None]]

_INTAKE = """
> /phananh
> [Đường sá, điện, rác]
> Đèn đường ở thôn Đông bị hỏng một tuần nay, buổi tối rất tối
"""
_TO_CONTACT = _INTAKE + "> [Tiếp tục]\n"
_TO_CONSENT = _TO_CONTACT + "> [Để lại họ tên]\n"
_TO_NAME = _TO_CONSENT + "> [Tôi đồng ý]\n"
_TO_PHONE = _TO_NAME + "> Nguyễn Văn An\n"
_TO_CONFIRM = _TO_PHONE + "> 0912345678\n"


def transcript(text: str) -> Reach:
    async def reach(resident: Resident, runtime: Runtime) -> None:
        await run_transcript(resident, text)

    return reach


async def _followup(resident: Resident, runtime: Runtime) -> None:
    replies = await run_transcript(resident, _TO_CONFIRM + "> [Gửi phản ánh]\n")
    [code] = find_codes("\n".join(r.text for r in replies))[:1]
    await run_transcript(resident, f"> /tracuu {code}\n> [{texts.BTN_PA_FOLLOWUP}]\n")


def _survey(answers: int, *, then: str = "") -> Reach:
    async def reach(resident: Resident, runtime: Runtime) -> None:
        _invitation, token = await visit(runtime, MORNING)
        script = f"> /start {token}\n" + "> 2\n" * answers + then
        await run_transcript(resident, script)

    return reach


@dataclass(frozen=True)
class Step:
    reach: Reach
    state: str | None


STEPS: dict[str, Step] = {
    "idle": Step(transcript(""), None),
    "procedure card": Step(transcript("> đăng ký kết hôn"), procedures.CARD_STATE),
    "procedure clarify": Step(transcript("> giấy xác nhận"), procedures.CLARIFY_STATE),
    "procedure checklist": Step(
        transcript("> làm giấy khai sinh cho con\n> [Kiểm tra giấy tờ]"),
        procedures.CHECKLIST_STATE,
    ),
    "complaint category": Step(transcript("> /phananh"), complaints.CATEGORY),
    "complaint reference": Step(transcript("> /phananh\n> [Về thủ tục, hồ sơ]"), complaints.REF),
    "complaint text": Step(transcript("> /phananh\n> [Đường sá, điện, rác]"), complaints.TEXT),
    "complaint extras": Step(transcript(_INTAKE), complaints.EXTRAS),
    "complaint contact": Step(transcript(_TO_CONTACT), complaints.CONTACT),
    "complaint consent": Step(transcript(_TO_CONSENT), complaints.CONSENT),
    "complaint name": Step(transcript(_TO_NAME), complaints.NAME),
    "complaint phone": Step(transcript(_TO_PHONE), complaints.PHONE),
    "complaint confirm": Step(transcript(_TO_CONFIRM), complaints.CONFIRM),
    "complaint follow-up": Step(_followup, complaints.FOLLOWUP),
    "survey code": Step(transcript("> /danhgia"), surveys.CODE_STATE),
    "survey question 1": Step(_survey(0), surveys.QUESTION_STATE),
    "survey question 4": Step(_survey(3), surveys.QUESTION_STATE),
    "survey comment": Step(_survey(6), surveys.COMMENT_STATE),
    "survey contact": Step(_survey(6, then="> tệ quá\n"), surveys.CONTACT_STATE),
}


@pytest.fixture
async def runtime_at_morning(runtime: Runtime) -> Runtime:
    """Visits and invitations are dated MORNING; the processor's clock reads it too."""
    set_clock(runtime, MORNING)
    return runtime


@pytest.fixture
async def staff_runtime(runtime_at_morning: Runtime) -> tuple[Runtime, str]:
    """The runtime and the code of a ticket a resident has just sent."""
    resident = Resident(runtime_at_morning)
    replies = await run_transcript(
        resident, _INTAKE + "> [Tiếp tục]\n> [Gửi ẩn danh]\n> [Gửi phản ánh]"
    )
    return runtime_at_morning, _ticket_code(replies)


async def _at_step(runtime: Runtime, name: str, channel: str = webchat.NAME) -> Resident:
    resident = Resident(runtime, channel)
    step = STEPS[name]
    await step.reach(resident, runtime)
    async with runtime.db.read() as session:
        state = await session.scalar(
            select(Conversation.state).where(
                Conversation.channel == channel, Conversation.user_id == resident.user_id
            )
        )
    assert state == step.state, f"the set-up did not reach {name!r} ({state!r})"
    return resident


def at_every_step(**arguments: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """One explicit example per step, so every step is fed at least this input."""

    def decorate(test: Callable[..., Any]) -> Callable[..., Any]:
        for name in sorted(STEPS):
            test = example(step=name, **arguments)(test)
        return test

    return decorate


# One runtime for all steps (starting one takes longer than a dozen examples): the step
# is drawn like the input, and every step also gets the explicit nasty example.
steps = st.sampled_from(sorted(STEPS))


@examples(120)
@given(step=steps, text=resident_text)
@at_every_step(text="\x00 \ud800 ¹ \u202e🙂\x1b[0m")
@example(step="complaint name", text="x" * 100_000)
@example(step="complaint text", text="Đèn đường hỏng " * 7000)
@example(step="idle", text="¹")  # str.isdigit() is true, int() fails
@example(step="survey question 1", text="🙂" * 3000)
async def test_any_text_at_any_step_gets_a_vietnamese_answer(
    runtime_at_morning: Runtime, step: str, text: str
) -> None:
    runtime = runtime_at_morning
    resident = await _at_step(runtime, step)
    replies = await resident.say(text)
    if not text.strip() and not text.startswith("/"):
        # The web chat refuses an empty message and other channels never deliver one;
        # the processor still must not fail on it.
        assert APOLOGY not in replies
    else:
        assert_answered(replies)
    await assert_state_valid(runtime, webchat.NAME, resident.user_id)


@examples(80)
@given(step=steps, payload=button_payload)
@at_every_step(payload="sa:¹:5")  # str.isdigit() is true, int() fails
@example(step="complaint category", payload="pa:cat:nope")
@example(step="survey question 4", payload="sa:99:9")
@example(step="survey comment", payload="sa:-1:x")
@example(step="idle", payload="sv:dg_zz_zz_AAAAAAAAAAAAAAAA")
@example(step="complaint confirm", payload="pa:view:PA-ZZZZZZ")
@example(step="complaint follow-up", payload="st:take:PA-ZZZZZZ")
async def test_any_button_payload_at_any_step_gets_a_vietnamese_answer(
    runtime_at_morning: Runtime, step: str, payload: str
) -> None:
    runtime = runtime_at_morning
    resident = await _at_step(runtime, step)
    assert_answered(await resident.send(payload=payload))
    await assert_state_valid(runtime, webchat.NAME, resident.user_id)


coordinate = st.floats(allow_nan=True, allow_infinity=True)
media = st.fixed_dictionaries(
    {},
    optional={
        "text": resident_text,
        "attachments": st.lists(
            st.builds(
                Attachment,
                st.sampled_from(["photo", "sticker", "document", "audio", "video"]),
                any_text,
                st.one_of(st.none(), any_text),
                st.one_of(st.none(), st.integers(min_value=-1, max_value=2**40)),
            ),
            max_size=12,
        ).map(tuple),
        "location": st.builds(Location, coordinate, coordinate),
        "contact": st.builds(Contact, resident_text, st.one_of(st.none(), any_text), st.booleans()),
    },
)


@examples(60)
@given(step=steps, extra=media)
@at_every_step(extra={"location": Location(float("nan"), float("inf"))})
@at_every_step(extra={"attachments": (Attachment("photo", "\x00"),) * 12})
@example(step="complaint phone", extra={"contact": Contact("٠٩١٢٣٤٥٦٧٨", "\ud800", True)})
async def test_photos_locations_and_contacts_at_any_step_get_a_vietnamese_answer(
    runtime_at_morning: Runtime, step: str, extra: dict[str, Any]
) -> None:
    runtime = runtime_at_morning
    resident = await _at_step(runtime, step, "telegram")
    replies = await resident.send(**extra)
    if extra.get("text", "").strip() or extra.get("attachments") or extra.get("contact"):
        assert_answered(replies)
    assert APOLOGY not in replies
    await assert_state_valid(runtime, "telegram", resident.user_id)


def _ticket_code(replies: list[Reply]) -> str:
    return find_codes("\n".join(r.text for r in replies))[0]


STAFF_COMMANDS = sorted(staff.COMMANDS | {"ghinhan", "huy", "trogiup"})


@examples(60)
@given(command=st.sampled_from(STAFF_COMMANDS), argument=resident_text, with_code=st.booleans())
@example(command="traloi", argument="PA-\x00 \x00", with_code=False)
@example(command="ngaynghi", argument="31/02/2026", with_code=False)
@example(command="ngaynghi", argument="99999-99-99", with_code=False)
@example(command="lich", argument="-1", with_code=False)
async def test_staff_commands_with_any_argument_never_fail(
    staff_runtime: tuple[Runtime, str], command: str, argument: str, with_code: bool
) -> None:
    runtime, code = staff_runtime
    text = f"/{command} {code + ' ' if with_code else ''}{argument}"
    assert_answered(await Staff(runtime).say(text))


@given(text=resident_text)
async def test_staff_reply_prompt_takes_any_text(
    staff_runtime: tuple[Runtime, str], text: str
) -> None:
    runtime, code = staff_runtime
    member = Staff(runtime)
    assert_answered(await member.send(payload=f"st:ask:{code}"))
    replies = await member.say(text)
    assert_answered(replies, silence_allowed=True)  # chatter in the group: rightly silent
    await assert_state_valid(runtime, "telegram", STAFF_IDS[0])
