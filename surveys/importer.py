"""Import the one-stop software's daily list of dossiers received or returned.

A CSV (UTF-8, with or without BOM; comma or semicolon) or XLSX file with a header row.
Column names are matched loosely, in Vietnamese or English, accents optional:

| what | accepted headers |
|---|---|
| dossier code | mã hồ sơ, số hồ sơ, dossier, dossier_code |
| procedure code | mã thủ tục, mã TTHC, procedure, procedure_code |
| counter | quầy, counter |
| officer | cán bộ, công chức, người tiếp nhận, officer |
| time | thời gian, ngày, ngày tiếp nhận, time, occurred_at |
| in person / online | hình thức, kênh, mode ("trực tuyến"/"online" = online) |
| resident chat | chat, tài khoản chat ("telegram:123456", "zalo_oa:...") |
| resident phone | điện thoại, số điện thoại, phone |

Times are local (Asia/Ho_Chi_Minh): ``2026-07-15 08:30``, ``15/07/2026 08:30`` or an
Excel date. A row already imported (same dossier and time) is skipped, so a list can be
imported again after a correction. A phone number alone cannot be pushed to (no channel
knows residents by phone); it is read and dropped, and the row counts as not pushable.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.models import Catalogue
from surveys import service
from surveys.instrument import IN_PERSON, ONLINE, SurveyBook, fold
from surveys.models import Invitation
from surveys.periods import LOCAL

COLUMNS: dict[str, tuple[str, ...]] = {
    "dossier": ("ma ho so", "so ho so", "ho so", "dossier", "dossier code", "dossier_code"),
    "procedure": (
        "ma thu tuc",
        "ma tthc",
        "thu tuc",
        "procedure",
        "procedure code",
        "procedure_code",
    ),
    "counter": ("quay", "quay tiep nhan", "counter"),
    "officer": ("can bo", "cong chuc", "nguoi tiep nhan", "officer"),
    "time": (
        "thoi gian",
        "ngay",
        "ngay tiep nhan",
        "ngay tra",
        "time",
        "occurred at",
        "occurred_at",
    ),
    "mode": ("hinh thuc", "kenh", "mode"),
    "chat": ("chat", "tai khoan chat", "resident chat"),
    "phone": ("dien thoai", "so dien thoai", "sdt", "phone"),
}
CHANNELS = {"telegram", "zalo_bot", "zalo_oa", "web"}
_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%Y-%m-%d",
)


class VisitListError(ValueError):
    """The file cannot be read as a visit list ."""


@dataclass
class VisitRow:
    line: int
    dossier: str | None
    procedure: str | None
    counter: str | None
    officer: str | None
    occurred_at: datetime
    mode: str
    chat: service.Resident | None


@dataclass
class ImportReport:
    created: list[tuple[VisitRow, Invitation]] = field(default_factory=list)
    existing: int = 0
    pushable: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, {column key: raw value}) for each data row."""
    rows = _xlsx_rows(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _csv_rows(path)
    header: dict[int, str] | None = None
    for line, values in rows:
        if header is None:
            header = _header(values)
            if "procedure" not in header.values() and "dossier" not in header.values():
                raise VisitListError(f"{path}: no 'mã thủ tục' or 'mã hồ sơ' column in the header")
            continue
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        yield line, {header[i]: v for i, v in enumerate(values) if i in header}


def _header(values: list[Any]) -> dict[int, str]:
    result: dict[int, str] = {}
    for i, value in enumerate(values):
        name = fold(str(value or "")).replace("_", " ")
        for key, names in COLUMNS.items():
            if name in {fold(n).replace("_", " ") for n in names} and key not in result.values():
                result[i] = key
                break
    return result


def _csv_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    text = path.read_text(encoding="utf-8-sig")
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    for line, row in enumerate(csv.reader(io.StringIO(text), dialect), 1):
        yield line, list(row)


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for line, row in enumerate(sheet.iter_rows(values_only=True), 1):
            yield line, list(row)
    finally:
        workbook.close()


def parse_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        text = " ".join(str(value or "").split())
        for pattern in _TIME_FORMATS:
            try:
                moment = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"unreadable time {text!r}")
    return moment.replace(tzinfo=LOCAL) if moment.tzinfo is None else moment


def parse_row(line: int, raw: dict[str, Any]) -> VisitRow:
    def text(key: str) -> str | None:
        value = raw.get(key)
        value = " ".join(str(value).split()) if value is not None else ""
        return value or None

    procedure, dossier = text("procedure"), text("dossier")
    if not procedure and not dossier:
        raise ValueError("no procedure code and no dossier code")
    time_value = raw.get("time")
    if time_value is None or str(time_value).strip() == "":
        raise ValueError("no time")
    mode = (
        ONLINE
        if fold(text("mode") or "") in ("truc tuyen", "online", "dvc", "mot phan")
        else IN_PERSON
    )
    chat = None
    if text("chat"):
        channel, _, user = (text("chat") or "").partition(":")
        if channel not in CHANNELS or not user:
            raise ValueError(f"chat must look like telegram:123456, not {text('chat')!r}")
        chat = service.Resident(channel, user, user)
    return VisitRow(
        line=line,
        dossier=dossier,
        procedure=procedure,
        counter=text("counter"),
        officer=text("officer"),
        occurred_at=parse_time(time_value),
        mode=mode,
        chat=chat,
    )


async def import_visits(
    session: AsyncSession,
    path: Path,
    *,
    commune_id: int,
    now: datetime,
    options: service.SurveySettings,
    catalogue: Catalogue,
    book: SurveyBook,
) -> ImportReport:
    """Record every row; bad rows are reported by line and the rest still imported."""
    report = ImportReport()
    for line, raw in read_rows(path):
        try:
            row = parse_row(line, raw)
        except ValueError as exc:
            report.errors.append((line, str(exc)))
            continue
        procedure = catalogue.get(row.procedure) if row.procedure else None
        field_name = procedure.field if procedure else ""
        _visit, invitation, created = await service.record_visit(
            session,
            commune_id=commune_id,
            now=now,
            options=options,
            procedure_code=row.procedure,
            field_name=field_name,
            field_group=book.field_group(field_name),
            dossier_code=row.dossier,
            counter=row.counter,
            officer=row.officer,
            mode=row.mode,
            occurred_at=row.occurred_at,
            source="import",
            resident=row.chat,
        )
        if created:
            report.created.append((row, invitation))
            report.pushable += row.chat is not None
        else:
            report.existing += 1
    return report
