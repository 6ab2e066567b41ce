"""Turn procedure files into validated :class:`~knowledge.models.Procedure` objects.

One entry point, :func:`load_file`, for every format a commune may hold:

- the national portal's crawled records (.jsonl, .jsonl.gz): :mod:`.portal_jsonl`
- the portal's exported lists (.xlsx): :mod:`.portal_xlsx`
- the Ministry of Defence's structured records (.jsonl): :mod:`.bqp`
- the project's own catalogue (.yaml, .yml, .json): :mod:`.own`

The format is decided from the file name and confirmed from the content; any file may be
gzipped. A file that cannot be read whole raises :class:`CatalogueImportError` and yields
nothing; records that are well-formed but unusable are skipped and listed in the result.
"""

from __future__ import annotations

import json
from pathlib import Path

from knowledge.importers import bqp, own, portal_jsonl, portal_xlsx
from knowledge.importers.common import (
    OFFICIAL_SOURCE_PREFIX,
    ZIP_MAGIC,
    CatalogueImportError,
    ImportResult,
    Skip,
    decode_utf8,
    read_bytes,
)

__all__ = [
    "OFFICIAL_SOURCE_PREFIX",
    "CatalogueImportError",
    "ImportResult",
    "Skip",
    "load_file",
]

_YAML_SUFFIXES = (".yaml", ".yml")
_JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")


def load_file(path: Path | str, *, all_levels: bool = False) -> ImportResult:
    """Procedures from one file, by default only those handled at commune level.

    `all_levels` keeps every level of the official formats (benchmarks use it on all
    2,642 portal records). The project's own files are curated, so all their entries are
    kept either way; the portal's XLSX lists have no level column and keep every row.
    """
    path = Path(path)
    data = read_bytes(path)
    name = path.name
    suffix = Path(name.removesuffix(".gz").removesuffix(".GZ")).suffix.lower()
    if data[:4] == ZIP_MAGIC or suffix in (".xlsx", ".xlsm"):
        if data[:4] != ZIP_MAGIC:
            raise CatalogueImportError(f"{name}: not an XLSX workbook (it is not a zip file)")
        return portal_xlsx.load(data, name)
    text = decode_utf8(data, name)
    if suffix in _YAML_SUFFIXES or (suffix == ".json" and not _is_json_lines(text)):
        return own.load(text, name)
    if suffix in _JSON_LINES_SUFFIXES or _is_json_lines(text):
        return _load_json_lines(text, name, all_levels=all_levels)
    return own.load(text, name)  # anything else may be our YAML; its errors are clear


def _load_json_lines(text: str, name: str, *, all_levels: bool) -> ImportResult:
    """Portal or Defence records, told apart by the first record's fields."""
    first = _first_record(text, name)
    if portal_jsonl.looks_like_portal_record(first):
        return portal_jsonl.load(text, name, all_levels=all_levels)
    if bqp.looks_like_bqp_record(first):
        return bqp.load(text, name, all_levels=all_levels)
    if own.looks_like_own_document(first):
        return own.load(text, name)
    raise CatalogueImportError(
        f"{name}: unrecognised format: the first record has neither the portal's fields "
        "('ma_thu_tuc') nor the Defence file's ('metadata', 'tables'), and the file is not "
        "a catalogue (.yaml, .json) or an exported list (.xlsx)"
    )


def _first_record(text: str, name: str) -> object:
    for line_no, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            try:
                return json.loads(line)
            except json.JSONDecodeError as exc:
                raise CatalogueImportError(
                    f"{name}, line {line_no}: invalid JSON ({exc.msg} at column {exc.colno}); "
                    "nothing was imported"
                ) from exc
    raise CatalogueImportError(f"{name}: the file is empty")


def _is_json_lines(text: str) -> bool:
    """True when the first non-blank line is a whole JSON object (one record per line)."""
    for line in text.split("\n"):
        if line.strip():
            try:
                return isinstance(json.loads(line), dict) and "\n" in text.strip()
            except json.JSONDecodeError:
                return False
    return False
