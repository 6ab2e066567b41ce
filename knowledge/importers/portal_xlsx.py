"""The portal's exported lists, "DANH SÁCH THỦ TỤC HÀNH CHÍNH" (.xlsx).

The format one-stop staff can download today: code, name, issuing agency, implementing
agency and field, under a title block whose height is not fixed, so the header row is
found by its labels. The lists carry no level column: every row is imported, and the
result says so. Codes typed as numbers in Excel (1.00119 for "1.001190") are read back
with six decimals.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import ValidationError

from knowledge.importers.common import (
    OFFICIAL_SOURCE_PREFIX,
    CatalogueImportError,
    ImportResult,
    Skip,
    clean_line,
    code_problem,
    count,
    normalize,
)
from knowledge.importers.portal_jsonl import validation_reason
from knowledge.models import Procedure

FORMAT = "portal-xlsx"
HEADER_SEARCH_ROWS = 30

# Column labels as the portal writes them, lower-cased; the first ones are required.
COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("mã số", "mã thủ tục", "mã tthc"),
    "name": ("tên", "tên thủ tục", "tên tthc"),
    "agency": ("cơ quan thực hiện",),
    "field": ("lĩnh vực",),
}
REQUIRED = ("code", "name")


def load(data: bytes, name: str) -> ImportResult:
    result = ImportResult(source_format=FORMAT)
    source = f"{OFFICIAL_SOURCE_PREFIX}:{name}"
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise CatalogueImportError(f"{name}: not a readable XLSX workbook ({exc})") from exc
    try:
        sheets_read = 0
        seen: dict[str, str] = {}
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(values_only=True)
            found = _find_header(rows)
            if found is None:
                continue
            sheets_read += 1
            header_row, columns = found
            for row_no, row in enumerate(rows, start=header_row + 1):
                _read_row(result, row, row_no, columns, sheet.title, seen, source)
    finally:
        workbook.close()
    if sheets_read == 0:
        raise CatalogueImportError(
            f"{name}: no sheet has a header row with the columns 'Mã số' and 'Tên' in its "
            f"first {HEADER_SEARCH_ROWS} rows; is this the portal's 'DANH SÁCH THỦ TỤC HÀNH "
            "CHÍNH' export?"
        )
    result.warnings.append(
        "the portal's exported lists have no level column: all "
        f"{count(len(result.procedures), 'procedure')} imported whatever their level, "
        "with code, name, agency and field only"
    )
    return result


def _find_header(rows: Iterator[Sequence[Any]]) -> tuple[int, dict[str, int]] | None:
    """(row number, column index per field) of the first row labelled like the header."""
    for row_no, row in enumerate(rows, start=1):
        if row_no > HEADER_SEARCH_ROWS:
            return None
        labels = [normalize(v).lower().rstrip(":") if isinstance(v, str) else "" for v in row]
        columns = {
            key: labels.index(label)
            for key, names in COLUMNS.items()
            for label in names
            if label in labels
        }
        if all(key in columns for key in REQUIRED):
            return row_no, columns
    return None


def _read_row(
    result: ImportResult,
    row: Sequence[Any],
    row_no: int,
    columns: dict[str, int],
    sheet: str,
    seen: dict[str, str],
    source: str,
) -> None:
    def cell(key: str) -> Any:
        index = columns.get(key)
        return row[index] if index is not None and index < len(row) else None

    if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
        return
    result.records += 1
    code = _code(cell("code"))
    where = f"sheet '{sheet}'"
    if problem := code_problem(code):
        result.skipped.append(Skip(row_no, code or None, f"{problem} ({where})", unit="row"))
        return
    assert code is not None
    if code in seen:
        reason = f"the code was already imported from {seen[code]}"
        result.skipped.append(Skip(row_no, code, reason, unit="row"))
        return
    try:
        procedure = Procedure(
            code=code,
            name=clean_line(cell("name")) or "",
            field=clean_line(cell("field")) or "",
            agency=_agency(cell("agency")),
            source=source,
        )
    except ValidationError as exc:
        skip = Skip(row_no, code, f"{validation_reason(exc)} ({where})", unit="row")
        result.skipped.append(skip)
        return
    seen[code] = f"row {row_no} of {where}"
    result.procedures.append(procedure)


def _code(value: object) -> str | None:
    if isinstance(value, float):
        return f"{value:.6f}"
    if isinstance(value, str):
        return value.strip()
    return None if value is None else str(value)


def _agency(value: object) -> str | None:
    """Several agencies are listed one per line in the cell."""
    if not isinstance(value, str):
        return None
    names = [clean_line(line) for line in value.splitlines()]
    return "; ".join(n for n in names if n) or None
