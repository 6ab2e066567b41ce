"""The questionnaire (SIPAS instrument), loaded from a versioned data file.

The data file (surveys/data/sipas.yaml) holds every published version: an answer keeps
the ``id@version`` it was given under, so changing a question means adding a version,
never editing one. Questions map onto six fixed elements so figures stay comparable
across versions and communes, and so answers can be stored as plain columns that SQL
aggregates directly.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA_FILE = Path(__file__).parent / "data" / "sipas.yaml"

# The six figures SIPAS reports, in the order they are shown.
ELEMENTS: tuple[str, ...] = (
    "overall",
    "access",
    "procedure",
    "civil_servant",
    "result",
    "feedback",
)
ELEMENT_LABELS: dict[str, str] = {
    "overall": "Nhìn chung",
    "access": "Tiếp cận dịch vụ",
    "procedure": "Thủ tục hành chính",
    "civil_servant": "Công chức",
    "result": "Kết quả",
    "feedback": "Tiếp nhận, xử lý góp ý",
}
SCALE = (1, 2, 3, 4, 5)
SATISFIED_FROM = 4  # 4 and 5 count as satisfied (the convention SIPAS reports use)
LOW_UP_TO = 2  # a rating of 1 or 2 on any element asks whether to contact the resident
OTHER_GROUP = "other"
ONLINE, IN_PERSON = "online", "in_person"


class InstrumentError(ValueError):
    """The data file is wrong; raised at load time so a bad edit never reaches residents."""


@dataclass(frozen=True)
class Question:
    element: str
    label: str
    text: str


@dataclass(frozen=True)
class Instrument:
    id: str
    version: int
    title: str
    scale: dict[int, str]
    questions: tuple[Question, ...]
    satisfied_from: int = SATISFIED_FROM

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    def definition(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "scale": {str(k): v for k, v in sorted(self.scale.items())},
            "satisfied_from": self.satisfied_from,
            "questions": [
                {"element": q.element, "label": q.label, "text": q.text} for q in self.questions
            ],
        }

    @property
    def fingerprint(self) -> str:
        """What makes two copies of a version the same: a hash of its canonical form."""
        canonical = json.dumps(self.definition(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class FieldGroup:
    key: str
    label: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class SurveyBook:
    """Everything the data file defines: instruments by key, defaults, field groups."""

    instruments: dict[str, Instrument]
    default: str
    communes: dict[str, str] = field(default_factory=dict)
    field_groups: tuple[FieldGroup, ...] = ()

    def latest(self, instrument_id: str) -> Instrument:
        versions = [i for i in self.instruments.values() if i.id == instrument_id]
        if not versions:
            raise InstrumentError(f"no instrument {instrument_id!r}")
        return max(versions, key=lambda i: i.version)

    def for_commune(self, slug: str, settings: dict[str, Any] | None = None) -> Instrument:
        chosen = ((settings or {}).get("surveys") or {}).get("instrument")
        return self.latest(str(chosen or self.communes.get(slug) or self.default))

    def get(self, key: str) -> Instrument | None:
        return self.instruments.get(key)

    def field_group(self, field_name: str | None) -> str:
        folded = fold(field_name or "")
        for group in self.field_groups:
            if any(k in folded for k in group.keywords):
                return group.key
        return OTHER_GROUP

    def group_label(self, key: str) -> str:
        for group in self.field_groups:
            if group.key == key:
                return group.label
        return "Lĩnh vực khác"


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def parse_book(data: Any, source: str = "survey data") -> SurveyBook:
    if not isinstance(data, dict):
        raise InstrumentError(f"{source}: expected a mapping")
    instruments: dict[str, Instrument] = {}
    for raw in data.get("instruments") or []:
        instrument = _parse_instrument(raw, source)
        if instrument.key in instruments:
            raise InstrumentError(f"{source}: {instrument.key} is defined twice")
        instruments[instrument.key] = instrument
    if not instruments:
        raise InstrumentError(f"{source}: no instruments")
    default = str(data.get("default") or next(iter(instruments.values())).id)
    communes = {str(k): str(v) for k, v in (data.get("communes") or {}).items()}
    groups = tuple(
        FieldGroup(
            key=str(key),
            label=str(value.get("label") or key),
            keywords=tuple(fold(str(k)) for k in value.get("keywords") or ()),
        )
        for key, value in (data.get("field_groups") or {}).items()
    )
    book = SurveyBook(instruments, default, communes, groups)
    for instrument_id in {default, *communes.values()}:
        book.latest(instrument_id)  # every name used must exist
    return book


def _parse_instrument(raw: Any, source: str) -> Instrument:
    if not isinstance(raw, dict):
        raise InstrumentError(f"{source}: an instrument must be a mapping")
    try:
        instrument_id, version = str(raw["id"]), int(raw["version"])
        scale = {int(k): str(v) for k, v in raw["scale"].items()}
        questions = tuple(
            Question(str(q["element"]), str(q.get("label") or q["element"]), str(q["text"]))
            for q in raw["questions"]
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InstrumentError(f"{source}: malformed instrument {raw.get('id')!r}: {exc}") from exc
    where = f"{source}: {instrument_id}@{version}"
    if sorted(scale) != list(SCALE):
        # Figures are "share of 4-5" computed in SQL over every version: the wording of
        # the scale may change, its points may not.
        raise InstrumentError(f"{where}: the scale must have the points 1 to 5")
    elements = [q.element for q in questions]
    unknown = set(elements) - set(ELEMENTS)
    if unknown:
        raise InstrumentError(f"{where}: unknown elements {sorted(unknown)}")
    if len(set(elements)) != len(elements):
        raise InstrumentError(f"{where}: an element is asked twice")
    if not questions:
        raise InstrumentError(f"{where}: no questions")
    if int(raw.get("satisfied_from", SATISFIED_FROM)) != SATISFIED_FROM:
        raise InstrumentError(f"{where}: satisfied_from must be {SATISFIED_FROM}")
    return Instrument(
        id=instrument_id,
        version=version,
        title=str(raw.get("title") or ""),
        scale=scale,
        questions=questions,
    )


def load_book(path: Path = DATA_FILE) -> SurveyBook:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InstrumentError(f"cannot read {path}: {exc}") from exc
    return parse_book(data, str(path))


@cache
def default_book() -> SurveyBook:
    """The shipped data file, read once per process."""
    return load_book()
