"""The procedure catalogue's data model.

A procedure is keyed by its national code (``1.001193``): the code is the only stable
identifier across the portal, imports, logs and evaluations. Official facts (documents,
fees, times) and the plain-language text written for residents live side by side so an
import of official data can refresh the first without losing the second.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from knowledge.names import short_title

CODE_PATTERN = r"^\d\.\d{6}$"
_CODE_RE = re.compile(CODE_PATTERN)

Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def is_code(value: str) -> bool:
    """True for a well-formed national procedure code such as ``1.001193``."""
    return bool(_CODE_RE.match(value))


class Channel(StrEnum):
    """Ways a dossier can be submitted, as the portal lists them."""

    IN_PERSON = "in_person"  # Trực tiếp
    ONLINE = "online"  # Trực tuyến
    POST = "post"  # Dịch vụ bưu chính


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, validate_assignment=True)


class Document(_Model):
    """One paper in the dossier: what it is, which form, how many copies."""

    name: Text
    form: str | None = None  # form or template name, e.g. "Tờ khai đăng ký khai sinh"
    copies: str | None = None  # as published: "1 bản chính", "1 bản sao"
    note: str | None = None  # when it applies ("nếu ủy quyền", "trẻ bị bỏ rơi")


class Way(_Model):
    """A way to submit (in person, online, by post) with its processing time and fee."""

    channel: Channel
    time: str | None = None  # plain text: "Ngay trong ngày làm việc", "03 ngày làm việc"
    days: float | None = Field(default=None, ge=0)  # working days, when it is a number
    fee: str | None = None  # plain text: "Miễn phí", "8.000 đồng/bản"
    fee_vnd: int | None = Field(default=None, ge=0)  # 0 means free; None means unknown
    note: str | None = None


class LegalDoc(_Model):
    """A legal basis: the document's title and its number (``123/2015/NĐ-CP``)."""

    title: Text
    number: str | None = None


class Procedure(_Model):
    """One administrative procedure (thủ tục hành chính) as residents need it."""

    code: Code
    name: Text  # official name (tên thủ tục)
    plain_name: str | None = None  # what residents call it: "làm giấy khai sinh"
    summary: str | None = None  # one or two plain sentences: what it is, who needs it
    field: str = ""  # lĩnh vực, e.g. "Hộ tịch"
    levels: list[str] = Field(default_factory=list)  # cấp thực hiện: "Cấp xã", "Cấp tỉnh"
    applicants: str | None = None  # đối tượng thực hiện
    agency: str | None = None  # cơ quan thực hiện
    where: str | None = None  # where to submit, in plain words
    documents: list[Document] = Field(default_factory=list)  # giấy tờ phải nộp
    documents_to_show: list[Document] = Field(default_factory=list)  # phải xuất trình
    steps: list[str] = Field(default_factory=list)
    ways: list[Way] = Field(default_factory=list)
    requirements: str | None = None  # yêu cầu, điều kiện
    result: str | None = None  # kết quả
    legal_basis: list[LegalDoc] = Field(default_factory=list)
    online_url: str | None = None  # the procedure's page on dichvucong.gov.vn
    aliases: list[str] = Field(default_factory=list)  # resident phrasings, folk terms
    tips: list[str] = Field(default_factory=list)  # short plain advice shown on the card
    related: list[Code] = Field(default_factory=list)  # codes residents confuse it with
    decision: str | None = None  # số quyết định công bố
    source: str = "shipped"  # where the official facts came from

    @field_validator("aliases", "tips", "steps")
    @classmethod
    def _strip_items(cls, items: list[str]) -> list[str]:
        return [s.strip() for s in items if s and s.strip()]

    @property
    def display_name(self) -> str:
        """The name residents should read first: the plain one when we wrote it, else the
        official one without its boilerplate (imported procedures)."""
        return self.plain_name or short_title(self.name)

    @property
    def commune_level(self) -> bool:
        return any("xã" in level.lower() for level in self.levels)

    @property
    def online(self) -> bool:
        return any(w.channel is Channel.ONLINE for w in self.ways)

    def way(self, channel: Channel) -> Way | None:
        return next((w for w in self.ways if w.channel is channel), None)


# Fields that carry the project's own plain-language work. An import of official data
# never erases them; it only fills them when they are empty.
PLAIN_FIELDS: tuple[str, ...] = ("plain_name", "summary", "aliases", "tips", "related", "where")


class Catalogue:
    """An ordered set of procedures keyed by national code.

    Plain Python container (no I/O) so the matcher and renderer can be used anywhere:
    in a test, in the CLI, or inside the server.
    """

    def __init__(self, procedures: Iterable[Procedure] = ()) -> None:
        self._by_code: dict[str, Procedure] = {}
        for p in procedures:
            self._by_code[p.code] = p

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Procedure]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Procedure | None:
        return self._by_code.get(code)

    def __getitem__(self, code: str) -> Procedure:
        return self._by_code[code]

    @property
    def codes(self) -> list[str]:
        return list(self._by_code)

    def fields(self) -> list[str]:
        """Fields in first-seen order, for browsing by field."""
        seen: dict[str, None] = {}
        for p in self:
            if p.field:
                seen.setdefault(p.field, None)
        return list(seen)

    def in_field(self, field: str) -> list[Procedure]:
        return [p for p in self if p.field == field]

    def copy(self) -> Catalogue:
        return Catalogue(p.model_copy(deep=True) for p in self)

    def put(self, procedure: Procedure) -> None:
        self._by_code[procedure.code] = procedure

    def remove(self, code: str) -> None:
        self._by_code.pop(code, None)
