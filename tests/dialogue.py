"""Dialogue tests as transcripts.

    > khai sinh                 the resident types "khai sinh"
    < Làm giấy khai sinh        some reply contains this text
    < [Giấy tờ cần nộp]         the last reply offers a button whose label contains this
    > [Giấy tờ cần nộp]         the resident presses that button
    > #2                        the resident types "2" (choosing the second option)
    <! Xin lỗi                  no reply contains this text

A ``ChatDriver`` delivers what the resident does through one channel and returns what
the bot answered, so the same transcript runs on every channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bot.types import Button, Reply


class ChatDriver(Protocol):
    async def say(self, text: str) -> list[Reply]: ...

    async def press(self, button: Button) -> list[Reply]: ...


@dataclass
class TranscriptError(AssertionError):
    line_no: int
    line: str
    problem: str
    replies: list[Reply] = field(default_factory=list)

    def __str__(self) -> str:
        shown = "\n---\n".join(
            r.text + "".join(f"\n  [{b.label}]" for b in r.buttons) for r in self.replies
        )
        where = f"transcript line {self.line_no}: {self.line!r}: {self.problem}"
        return f"{where}\nbot said:\n{shown or '(nothing)'}"


async def run_transcript(driver: ChatDriver, transcript: str) -> list[Reply]:
    """Play the transcript; raise TranscriptError at the first expectation that fails."""
    replies: list[Reply] = []
    for line_no, raw in enumerate(transcript.strip().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("> "):
            action = line[2:].strip()
            if action.startswith("[") and action.endswith("]"):
                button = _find_button(replies, action[1:-1])
                if button is None:
                    raise TranscriptError(line_no, line, "no such button to press", replies)
                replies = await driver.press(button)
            elif action.startswith("#") and action[1:].isdigit():
                replies = await driver.say(action[1:])
            else:
                replies = await driver.say(action)
        elif line.startswith("<! "):
            unwanted = line[3:].strip()
            if any(unwanted.lower() in r.text.lower() for r in replies):
                raise TranscriptError(line_no, line, "the bot said what it must not say", replies)
        elif line.startswith("< "):
            wanted = line[2:].strip()
            if wanted.startswith("[") and wanted.endswith("]"):
                if _find_button(replies, wanted[1:-1]) is None:
                    raise TranscriptError(line_no, line, "button not offered", replies)
            elif not any(wanted.lower() in r.text.lower() for r in replies):
                raise TranscriptError(line_no, line, "expected text not in the replies", replies)
        else:
            raise TranscriptError(line_no, line, "lines start with '> ', '< ' or '<! '")
    return replies


def _find_button(replies: list[Reply], label: str) -> Button | None:
    for reply in reversed(replies):
        for button in reply.buttons:
            if label.lower() in button.label.lower():
                return button
    return None


class ProcessorDriver:
    """Delivers messages straight to the processor (no HTTP), as the web chat does."""

    def __init__(
        self, runtime: object, session: str = "resident-0001", commune: str = "default"
    ) -> None:
        from bot.app import Runtime

        assert isinstance(runtime, Runtime)
        self.runtime = runtime
        self.session = session
        self.commune = commune
        self._n = 0

    async def _send(self, body: dict[str, object]) -> list[Reply]:
        from bot import outbox
        from bot.channels import webchat

        self._n += 1
        payload = webchat.validate({"session": self.session, "id": f"m{self._n}", **body})
        commune = self.runtime.communes.by_slug(self.commune)
        assert commune is not None
        channel = self.runtime.channels[webchat.NAME]
        inbox_id = await self.runtime.processor.accept(
            commune, webchat.NAME, channel.update_key(payload), payload, queue=False
        )
        assert inbox_id is not None
        await self.runtime.processor.process(inbox_id)
        return await outbox.take_for_pull(self.runtime.db, webchat.NAME, self.session)

    async def say(self, text: str) -> list[Reply]:
        return await self._send({"text": text})

    async def press(self, button: Button) -> list[Reply]:
        assert button.payload is not None, "cannot press a link button"
        return await self._send({"payload": button.payload})
