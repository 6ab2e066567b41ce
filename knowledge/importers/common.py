"""What every importer shares: the result type, the error type, reading files, cleaning text.

An import either succeeds completely (possibly with skipped records and warnings) or
raises :class:`CatalogueImportError`: a half-read file must never reach the catalogue,
so a truncated download or a typo in a hand-edited file stops the import with a message
that names the file and the line or row to fix.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.models import Procedure, is_code

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"

# The portal writes a missing value as this phrase instead of leaving it empty.
MISSING = "Không có thông tin"

# Official importers tag their records' `source` with this prefix; merge() uses it to tell
# official data (whose plain-language fields must not overwrite ours) from our own format.
OFFICIAL_SOURCE_PREFIX = "portal"


class CatalogueImportError(Exception):
    """A file that cannot be imported at all: nothing from it is used."""


@dataclass(frozen=True)
class Skip:
    """One record left out of an otherwise good file, and why (in plain English)."""

    line: int  # line of a JSON-lines file, or row of a spreadsheet (1-based)
    code: str | None
    reason: str
    unit: str = "line"  # "row" for spreadsheets

    def __str__(self) -> str:
        code = f" ({self.code})" if self.code else ""
        return f"{self.unit} {self.line}{code}: {self.reason}"


@dataclass
class ImportResult:
    """Procedures read from one file, plus what was left out and what looks doubtful."""

    source_format: str  # "portal-jsonl", "portal-xlsx", "bqp-jsonl", "own"
    procedures: list[Procedure] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    records: int = 0  # records (lines, rows, entries) read, before filtering and skipping


# --- reading files -----------------------------------------------------------------------


def read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped when it is gzip; a truncated gzip is an error."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogueImportError(f"{path}: cannot read the file ({exc.strerror})") from exc
    if raw[:2] != GZIP_MAGIC:
        return raw
    return _gunzip(raw, path.name)


def _gunzip(raw: bytes, name: str) -> bytes:
    """Decompress every gzip member, saying in which line the data breaks off.

    Incremental on purpose: gzip.decompress only says "ended before the end-of-stream
    marker", and the person fixing the download wants to know how far it got.
    """
    out: list[bytes] = []
    data = raw
    while data:
        inflater = zlib.decompressobj(wbits=31)
        try:
            out.append(inflater.decompress(data))
        except zlib.error as exc:
            line = b"".join(out).count(b"\n") + 1
            raise CatalogueImportError(
                f"{name}: the gzip data is corrupt (it breaks in line {line}): {exc}"
            ) from exc
        if not inflater.eof:
            line = b"".join(out).count(b"\n") + 1
            raise CatalogueImportError(
                f"{name}: the gzip file is truncated: the data stops in line {line}; "
                "download or copy the file again"
            )
        data = inflater.unused_data.lstrip(b"\x00")
    return b"".join(out)


def decode_utf8(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CatalogueImportError(
            f"{name}, line {line}: the file is not UTF-8 text ({exc.reason})"
        ) from exc


# --- cleaning text -----------------------------------------------------------------------

# Invisible characters the portal's pages carry (left-to-right marks, soft hyphens, BOMs)
# and odd spaces (tabs, no-break spaces). Plain str.replace: regexes over the 12 million
# characters of the full portal file cost seconds.
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u00ad\ufeff\u2060"
_ODD_SPACES = "\t\u00a0\u2002\u2003\u2009\u202f"
_MISSING_RE = re.compile(r"(?:không có thông tin|không có|không|--+|-)\.?", re.IGNORECASE)


def normalize(text: str) -> str:
    """NFC (the portal mixes precomposed and combining accents), no invisible characters,
    single spaces, trimmed lines, no blank lines."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    for char in _INVISIBLE:
        if char in text:
            text = text.replace(char, "")
    for char in _ODD_SPACES:
        if char in text:
            text = text.replace(char, " ")
    while "  " in text:
        text = text.replace("  ", " ")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\n" in text:
        text = "\n".join(line.strip() for line in text.split("\n") if line.strip())
    return text.strip()


def one_line(text: str) -> str:
    return normalize(text).replace("\n", " ")


def is_missing(text: str | None) -> bool:
    """True for empty values and the portal's ways of writing "nothing" ("Không có thông tin",
    "Không", "--")."""
    return text is None or not text.strip() or bool(_MISSING_RE.fullmatch(text.strip()))


def clean(text: object) -> str | None:
    """Normalized text, or None when the value is missing."""
    if not isinstance(text, str):
        return None
    value = normalize(text)
    return None if is_missing(value) else value


def clean_line(text: object) -> str | None:
    value = clean(text)
    return None if value is None else one_line(value)


# --- levels ------------------------------------------------------------------------------

_LEVEL_NAMES = {"cấp xã": "Cấp xã", "cấp tỉnh": "Cấp tỉnh", "cấp bộ": "Cấp bộ"}


def parse_levels(text: object) -> list[str]:
    """Levels in one spelling: "Cấp bộ, Cấp Tỉnh, Cấp Xã" -> ["Cấp bộ", "Cấp tỉnh", "Cấp xã"].

    The Defence file capitalises "Cấp Xã"; one spelling keeps the catalogue consistent.
    """
    value = clean_line(text)
    if value is None:
        return []
    levels: list[str] = []
    for part in re.split(r"[,;\n]", value):
        name = part.strip()
        if name:
            name = _LEVEL_NAMES.get(name.lower(), name)
            if name not in levels:
                levels.append(name)
    return levels


def is_commune_level(levels: list[str]) -> bool:
    return any(level.lower() == "cấp xã" for level in levels)


def count(n: int, noun: str) -> str:
    """Count and noun, "1 record" or "2 records": warnings are read by people."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def code_problem(code: object) -> str | None:
    """Why a record's code is unusable, or None when it is a good national code."""
    if code is None or (isinstance(code, str) and not code.strip()):
        return "no procedure code"
    if not isinstance(code, str):
        return f"the procedure code {code!r} is not text"
    if not is_code(code.strip()):
        return f"the procedure code {code.strip()!r} is not in the national N.NNNNNN format"
    return None
