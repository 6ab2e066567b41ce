import pytest

from bot.channels.base import parse_command
from bot.types import Button, Reply


def test_reply_survives_a_trip_through_json() -> None:
    reply = Reply(
        "Xin chào",
        (Button("Menu", "m"), Button("Bản đồ", url="https://maps.example")),
        request_contact=True,
    )
    assert Reply.from_json(reply.to_json()) == reply


def test_a_button_is_either_pressed_or_opened() -> None:
    with pytest.raises(ValueError):
        Button("both", payload="x", url="https://x")
    with pytest.raises(ValueError):
        Button("neither")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/start", ("start", None)),
        ("/start DG-abc_123", ("start", "DG-abc_123")),
        ("/huy@motcua_bot", ("huy", None)),
        ("/tracuu  PA-7K3M2Q ", ("tracuu", "PA-7K3M2Q")),
        ("khai sinh", (None, None)),
        ("/ khai sinh", (None, None)),
    ],
)
def test_commands_are_read_from_text(text: str, expected: tuple[str | None, str | None]) -> None:
    assert parse_command(text) == expected
