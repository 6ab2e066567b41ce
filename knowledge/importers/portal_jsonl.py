"""The national portal's crawled procedure records, one JSON object per line.

Each record's tables are parsed by :mod:`knowledge.importers.portal_tables`; this module
maps the record's fields onto :class:`~knowledge.models.Procedure` and survives the
record-level defects of the crawl (see /work/shared/data/README.md):

- Pages stored under the wrong code. 17 records of mid-2026 carry another procedure's
  page: the 7 "Người có công" records all hold one Hà Tĩnh decision titled "Công bố Danh
  mục và Quy trình nội bộ ..." (the page's own code is 3.000579), and 10 records hold the
  page of 1.014023 "Hỗ trợ phát triển sản xuất cộng đồng". The page names its own code,
  so a record whose page code differs from its own is skipped: its real title and facts
  are not in the file, and answering with another procedure's papers would mislead.
- A published name that is the announcing decision's title ("Công bố Danh mục và Quy
  trình nội bộ ..."): the page's own title is used when it differs; otherwise the record
  is kept with a warning.
- The crawler cut some steps at the words "Thành phần hồ sơ" inside them, so the end of
  the steps sits in `thanh_phan_ho_so` and the dossier table is missing; both are
  recovered from `raw_text` (24 BHXH and agriculture records).
- Records sharing identical content under different codes are kept, with a warning.
- Empty agencies, and customs (Hải quan) and tax (Thuế) records tagged commune level,
  are kept as published, with a warning that counts them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from typing import Any

from pydantic import ValidationError

from knowledge.importers.common import (
    OFFICIAL_SOURCE_PREFIX,
    CatalogueImportError,
    ImportResult,
    Skip,
    clean,
    clean_line,
    code_problem,
    count,
    is_commune_level,
    parse_levels,
)
from knowledge.importers.portal_tables import (
    DOSSIER_HEADER,
    parse_dossier,
    parse_legal_basis,
    parse_result,
    parse_steps,
    parse_ways,
    strip_chrome,
)
from knowledge.models import Procedure

FORMAT = "portal-jsonl"

_PAGE_CODE_RE = re.compile(r"Mã thủ tục\s*(\d\.\d{6})")
_PAGE_TITLE_RE = re.compile(r"Tên thủ tục(.*?)Mã thủ tục", re.DOTALL)
# The name of a decision that announces procedures, not of a procedure.
_DECISION_TITLE_RE = re.compile(r"Công bố Danh mục và Quy trình nội bộ", re.IGNORECASE)
_NOT_COMMUNE_WORK = ("Hải quan", "Thuế")


def looks_like_portal_record(record: object) -> bool:
    return isinstance(record, dict) and "ma_thu_tuc" in record


def load(text: str, name: str, *, all_levels: bool) -> ImportResult:
    """Procedures from the text of a .jsonl file; `name` is used in messages and sources."""
    result = ImportResult(source_format=FORMAT)
    source = f"{OFFICIAL_SOURCE_PREFIX}:{name}"
    seen: dict[str, int] = {}
    fingerprints: dict[str, list[str]] = defaultdict(list)
    recovered: list[str] = []
    left_out = 0
    for line_no, record in read_json_lines(text, name):
        result.records += 1
        if not isinstance(record, dict):
            result.skipped.append(Skip(line_no, None, "the line is not a JSON object"))
            continue
        code = record.get("ma_thu_tuc")
        if problem := code_problem(code):
            result.skipped.append(Skip(line_no, _str_or_none(code), problem))
            continue
        code = str(code).strip()
        if not all_levels and not is_commune_level(parse_levels(record.get("cap_thuc_hien"))):
            left_out += 1
            continue
        if problem := _foreign_page(record, code):
            result.skipped.append(Skip(line_no, code, problem))
            continue
        if code in seen:
            reason = f"the code was already imported from line {seen[code]}"
            result.skipped.append(Skip(line_no, code, reason))
            continue
        if _dossier_cut_into_steps(record):
            record = _recover_from_page(record)
            recovered.append(code)
        try:
            procedure = record_to_procedure(record, source)
        except ValidationError as exc:
            result.skipped.append(Skip(line_no, code, validation_reason(exc)))
            continue
        except ValueError as exc:
            result.skipped.append(Skip(line_no, code, str(exc)))
            continue
        if _DECISION_TITLE_RE.search(procedure.name):
            result.warnings.append(
                f"line {line_no} ({code}): the published name is a decision's title, not the "
                f"procedure's ({procedure.name[:60]}...); kept, check it"
            )
        seen[code] = line_no
        fingerprints[_fingerprint(record)].append(code)
        result.procedures.append(procedure)
    result.warnings.extend(_file_warnings(result.procedures, fingerprints, recovered))
    if left_out:
        result.warnings.insert(
            0,
            f"{count(left_out, 'record')} not at commune level (Cấp xã) left out; "
            "import with all_levels to keep them",
        )
    return result


def read_json_lines(text: str, name: str) -> list[tuple[int, Any]]:
    """(line number, value) for every non-blank line; invalid JSON anywhere is fatal."""
    values = []
    for line_no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            values.append((line_no, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise CatalogueImportError(
                f"{name}, line {line_no}: invalid JSON ({exc.msg} at column {exc.colno}); "
                "nothing was imported"
            ) from exc
    return values


def record_to_procedure(record: dict[str, Any], source: str) -> Procedure:
    """One portal record as a Procedure (validated)."""
    code = str(record["ma_thu_tuc"]).strip()
    name = clean_line(record.get("ten_thu_tuc")) or _page_title(record)
    if name is None:
        raise ValueError("the record has no procedure name")
    if _DECISION_TITLE_RE.search(name):
        name = _page_title(record) or name
    dossier = parse_dossier(_str_or_none(record.get("thanh_phan_ho_so")))
    return Procedure(
        code=code,
        name=name,
        field=clean_line(record.get("linh_vuc")) or "",
        levels=parse_levels(record.get("cap_thuc_hien")),
        applicants=clean_line(record.get("doi_tuong_thuc_hien")),
        agency=_agency(record),
        where=clean(record.get("dia_chi_tiep_nhan")),
        documents=dossier.documents,
        documents_to_show=dossier.documents_to_show,
        steps=parse_steps(_text(record, "trinh_tu_thuc_hien")),
        ways=parse_ways(_text(record, "cach_thuc_thuc_hien")),
        requirements=strip_chrome(_text(record, "yeu_cau_dieu_kien")),
        result=parse_result(_text(record, "ket_qua_xu_ly")),
        legal_basis=parse_legal_basis(_text(record, "can_cu_phap_ly")),
        online_url=clean_line(record.get("detail_url")),
        decision=clean_line(record.get("so_quyet_dinh")),
        source=source,
    )


def validation_reason(exc: ValidationError) -> str:
    """A pydantic error in one plain sentence: "invalid documents.0.name: ..."."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "record"
    return f"invalid {where}: {first['msg']}"


def _text(record: dict[str, Any], key: str) -> str | None:
    return _str_or_none(record.get(key))


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _agency(record: dict[str, Any]) -> str | None:
    """The implementing agency, else the competent one (178 commune records lack the first)."""
    agency = clean_line(record.get("co_quan_thuc_hien")) or clean_line(
        record.get("co_quan_co_tham_quyen")
    )
    return agency.rstrip(".") if agency else None


def _page_title(record: dict[str, Any]) -> str | None:
    raw = record.get("raw_text")
    if not isinstance(raw, str):
        return None
    m = _PAGE_TITLE_RE.search(raw)
    return clean_line(m.group(1)) if m else None


def _foreign_page(record: dict[str, Any], code: str) -> str | None:
    """Why the crawled page is another procedure's, or None when it is this one's."""
    raw = record.get("raw_text")
    if not isinstance(raw, str):
        return None
    m = _PAGE_CODE_RE.search(raw)
    if m is None or m.group(1) == code:
        return None
    title = _page_title(record) or "untitled"
    short = title if len(title) <= 70 else title[:67] + "..."
    return (
        f'the crawled page belongs to procedure {m.group(1)} ("{short}"), not to {code}; '
        "this record's real name and facts are not in the file"
    )


# --- steps cut at the words "Thành phần hồ sơ" -----------------------------------------

_STEPS_HEADING = "Trình Tự Thực Hiện"
_WAYS_HEADING = "Cách Thức Thực Hiện"
_DOSSIER_HEADING = "Thành phần hồ sơ"
_LEGAL_HEADING = "Căn cứ pháp lýTên văn bản"


def _dossier_cut_into_steps(record: dict[str, Any]) -> bool:
    dossier = record.get("thanh_phan_ho_so")
    raw = record.get("raw_text")
    return (
        isinstance(dossier, str)
        and isinstance(raw, str)
        and DOSSIER_HEADER not in dossier
        and DOSSIER_HEADER in raw
    )


def _recover_from_page(record: dict[str, Any]) -> dict[str, Any]:
    """Steps and dossier re-read from the page text, where the sections are complete."""
    raw: str = record["raw_text"]
    steps_at = raw.find(_STEPS_HEADING)
    ways_at = raw.find(_WAYS_HEADING, max(steps_at, 0))
    dossier_at = raw.find(_DOSSIER_HEADING, max(ways_at, 0))
    legal_at = raw.find(_LEGAL_HEADING, max(dossier_at, 0))
    if min(steps_at, ways_at, dossier_at, legal_at) < 0:
        return record
    fixed = dict(record)
    fixed["trinh_tu_thuc_hien"] = raw[steps_at + len(_STEPS_HEADING) : ways_at]
    fixed["thanh_phan_ho_so"] = raw[dossier_at + len(_DOSSIER_HEADING) : legal_at]
    return fixed


# --- file-level warnings ---------------------------------------------------------------


def _fingerprint(record: dict[str, Any]) -> str:
    """Identical steps, dossier and ways: the crawler copies one page byte for byte."""
    parts = (
        record.get(k) for k in ("trinh_tu_thuc_hien", "thanh_phan_ho_so", "cach_thuc_thuc_hien")
    )
    text = "\x1f".join(p if isinstance(p, str) else "" for p in parts)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _file_warnings(
    procedures: list[Procedure], fingerprints: dict[str, list[str]], recovered: list[str]
) -> list[str]:
    warnings = []
    for codes in fingerprints.values():
        if len(codes) > 1:
            warnings.append(
                f"{len(codes)} records share identical steps, dossier and ways "
                f"({', '.join(codes)}): one page may be stored under several codes; "
                "kept, check them"
            )
    if recovered:
        warnings.append(
            f"{count(len(recovered), 'record')}: steps cut at the words 'Thành phần hồ sơ' "
            "and no dossier table; steps and dossier were re-read from the page text "
            f"({', '.join(recovered[:5])}{', ...' if len(recovered) > 5 else ''})"
        )
    no_agency = sum(1 for p in procedures if p.agency is None)
    if no_agency:
        warnings.append(f"{count(no_agency, 'record')} without an implementing agency")
    fields = Counter(p.field for p in procedures if p.commune_level)
    not_commune = {f: fields[f] for f in _NOT_COMMUNE_WORK if fields[f]}
    if not_commune:
        detail = ", ".join(f"{f} {n}" for f, n in not_commune.items())
        warnings.append(
            f"{count(sum(not_commune.values()), 'commune-level record')}: customs or tax "
            f"procedures ({detail}) that a commune's one-stop shop does not handle; "
            "kept as published"
        )
    return warnings
