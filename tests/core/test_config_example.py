"""motcua.env.example documents every setting: a field added to bot/config.py or to the
complaint settings without a line there fails here."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from complaints.config import ComplaintSettings
from surveys.service import SurveySettings

EXAMPLE = (Path(__file__).resolve().parents[2] / "motcua.env.example").read_text(encoding="utf-8")


def test_every_environment_setting_is_in_the_example() -> None:
    missing = [
        f"MOTCUA_{name.upper()}"
        for name in Settings.model_fields
        if f"MOTCUA_{name.upper()}=" not in EXAMPLE
    ]
    assert missing == []


def test_every_commune_feature_setting_is_in_the_example() -> None:
    names = [*ComplaintSettings.model_fields, *SurveySettings.__dataclass_fields__]
    assert [n for n in names if n not in EXAMPLE] == []
