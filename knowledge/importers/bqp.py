"""The Ministry of Defence's procedures, parsed from its official detail documents.

One JSON object per line with `metadata`, `content` and `tables` dicts. Unlike the
portal's crawl the tables are real lists of cells, so only the cells' wording needs care:
copies are written "Bản chính: 1\\nBản sao: 0", the form's file name sits in `so_luong`,
fees read "Phí : 0 Đồng" or "Phí : Không Đồng", and levels are capitalised ("Cấp Xã").
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from knowledge.importers.common import (
    ImportResult,
    Skip,
    clean,
    clean_line,
    code_problem,
    count,
    is_commune_level,
    is_missing,
    parse_levels,
)
from knowledge.importers.portal_jsonl import read_json_lines, validation_reason
from knowledge.importers.portal_tables import (
    CHANNELS,
    find_legal_number,
    item_name,
    parse_fee,
    parse_steps,
    parse_time,
)
from knowledge.models import Document, LegalDoc, Procedure, Way

FORMAT = "bqp-jsonl"
SOURCE_PREFIX = "portal_bqp"

_FILE_RE = re.compile(r"\.(?:docx?|pdf|xlsx?|rar|zip|odt|rtf)$", re.IGNORECASE)
_COPIES_RE = re.compile(r"Bản\s*(chính|sao)\s*:\s*(\d+)", re.IGNORECASE)
_NO_FEE_RE = re.compile(r"(?:(?:Lệ phí|Phí)\s*:\s*)?(?:0|o|không)\s*(?:Đồng|đồng)?", re.IGNORECASE)
_FEE_LABEL_RE = re.compile(r"^(?:Lệ phí|Phí)\s*:\s*")
_DECISION_PREFIX_RE = re.compile(r"^Quyết định(?: số)?\s*", re.IGNORECASE)


def looks_like_bqp_record(record: object) -> bool:
    return isinstance(record, dict) and isinstance(record.get("metadata"), dict)


def load(text: str, name: str, *, all_levels: bool) -> ImportResult:
    result = ImportResult(source_format=FORMAT)
    source = f"{SOURCE_PREFIX}:{name}"
    seen: dict[str, int] = {}
    left_out = 0
    for line_no, record in read_json_lines(text, name):
        result.records += 1
        meta = record.get("metadata") if isinstance(record, dict) else None
        if not isinstance(meta, dict):
            result.skipped.append(Skip(line_no, None, "the line has no 'metadata' object"))
            continue
        code = meta.get("mã_thủ_tục") or record.get("thu_tuc_id")
        if problem := code_problem(code):
            result.skipped.append(Skip(line_no, code if isinstance(code, str) else None, problem))
            continue
        code = str(code).strip()
        if not all_levels and not is_commune_level(parse_levels(meta.get("cấp_thực_hiện"))):
            left_out += 1
            continue
        if code in seen:
            reason = f"the code was already imported from line {seen[code]}"
            result.skipped.append(Skip(line_no, code, reason))
            continue
        try:
            procedure = record_to_procedure(record, code, source)
        except ValidationError as exc:
            result.skipped.append(Skip(line_no, code, validation_reason(exc)))
            continue
        except ValueError as exc:
            result.skipped.append(Skip(line_no, code, str(exc)))
            continue
        seen[code] = line_no
        result.procedures.append(procedure)
    if left_out:
        result.warnings.append(
            f"{count(left_out, 'record')} not at commune level (Cấp xã) left out; "
            "import with all_levels to keep them"
        )
    return result


def record_to_procedure(record: dict[str, Any], code: str, source: str) -> Procedure:
    meta: dict[str, Any] = record["metadata"]
    content = _dict(record.get("content"))
    tables = _dict(record.get("tables"))
    name = clean_line(meta.get("tên_thủ_tục"))
    if name is None:
        raise ValueError("the record has no procedure name")
    decision = clean_line(meta.get("số_quyết_định"))
    agency = clean_line(content.get("cơ_quan_thực_hiện")) or clean_line(
        content.get("cơ_quan_có_thẩm_quyền")
    )
    return Procedure(
        code=code,
        name=name,
        field=clean_line(meta.get("lĩnh_vực")) or "",
        levels=parse_levels(meta.get("cấp_thực_hiện")),
        applicants=clean_line(content.get("đối_tượng_thực_hiện")),
        agency=agency,
        where=clean(content.get("địa_chỉ_tiếp_nhận_hs")),
        documents=[doc for row in _rows(tables, "thanh_phan_ho_so") if (doc := _document(row))],
        steps=parse_steps(_str(content.get("trình_tự_thực_hiện"))),
        ways=[w for row in _rows(tables, "hinh_thuc_nop") if (w := _way(row))],
        requirements=clean(content.get("yêu_cầu_điều_kiện_thực_hiện")),
        result=clean(content.get("kết_quả_thực_hiện")),
        legal_basis=[law for row in _rows(tables, "can_cu_phap_ly") if (law := _legal_doc(row))],
        decision=_DECISION_PREFIX_RE.sub("", decision) if decision else None,
        source=source,
    )


def _document(row: dict[str, Any]) -> Document | None:
    """One dossier row; the form's file name is in `so_luong`, the copies in `ghi_chu`."""
    name = item_name(_str(row.get("ten_giay_to")) or "")
    if not name or is_missing(name):
        return None
    form = clean_line(row.get("so_luong"))
    if form and not _FILE_RE.search(form):
        form = None
    return Document(name=name, form=form, copies=_copies(row.get("ghi_chu")))


def _copies(text: object) -> str | None:
    """Copies as the file writes them: "Bản chính: 1\\nBản sao: 0" -> "1 bản chính"."""
    if not isinstance(text, str):
        return None
    parts = [f"{int(n)} bản {kind.lower()}" for kind, n in _COPIES_RE.findall(text) if int(n) > 0]
    return ", ".join(parts) or None


def _way(row: dict[str, Any]) -> Way | None:
    channel = CHANNELS.get(clean_line(row.get("hinh_thuc")) or "")
    if channel is None:
        return None
    time, days = _time(_str(row.get("thoi_han_giai_quyet")))
    fee, fee_vnd, fee_note = _fee(_str(row.get("phi_le_phi")))
    note = "\n".join(p for p in (fee_note, clean(row.get("mo_ta"))) if p) or None
    return Way(channel=channel, time=time, days=days, fee=fee, fee_vnd=fee_vnd, note=note)


def _time(cell: str | None) -> tuple[str | None, float | None]:
    """A whole time cell: "07 Ngày làm việc" -> 7 working days; "Không quy định" kept as text."""
    text = clean_line(cell)
    if text is None:
        return None, None
    time, days, rest = parse_time(text)
    if time is None or rest.strip():
        return text, days if time else None
    return time, days


def _fee(cell: str | None) -> tuple[str | None, int | None, str | None]:
    text = clean_line(cell)
    if text is None:
        return None, None, None
    if _NO_FEE_RE.fullmatch(text):
        return "Miễn phí", 0, None
    fee, fee_vnd, detail, rest = parse_fee(text)
    if fee is None:
        # "Phí :  Đồng" names no amount; "Phí : Mức thu bằng 50% ..." is prose: keep it.
        prose = _FEE_LABEL_RE.sub("", text).removesuffix("Đồng").strip()
        return prose or None, None, None
    return fee, fee_vnd, "\n".join(p for p in (detail, clean(rest)) if p) or None


def _legal_doc(row: dict[str, Any]) -> LegalDoc | None:
    title = clean_line(row.get("trich_yeu"))
    label = clean_line(row.get("so_ky_hieu"))
    number = find_legal_number(label or "") or find_legal_number(title or "")
    if title is None:
        if label is None:
            return None
        title = label
    return LegalDoc(title=title, number=number)


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _rows(tables: dict[str, Any], key: str) -> list[dict[str, Any]]:
    rows = tables.get(key)
    return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None
