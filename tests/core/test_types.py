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


def test_chats_of_units_configured_in_settings_are_staff_chats() -> None:
    from bot.communes import CommuneProfile
    from bot.config import CommuneSettings, TelegramSettings
    from bot.db.models import Commune

    row = Commune(
        id=1, slug="default", name="Xã An Bình", kind="xã", counters=[],
        settings={"staff_chats": [["telegram", "-1002"]]},
    )  # fmt: skip
    config = CommuneSettings(slug="default", telegram=TelegramSettings(staff_chat="-1001"))
    profile = CommuneProfile.from_row(row, config)
    assert profile.staff_chats == (("telegram", "-1001"), ("telegram", "-1002"))
