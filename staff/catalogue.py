"""Staff edits to a commune's procedures: the edit form's values, saving with history,
adding aliases, and the preview-then-confirm import of portal files.

An edit stores the whole procedure as the commune's catalogue entry (layered over the
shipped catalogue by bot.knowledge_base) and a history row with the procedure before
and after; the caller invalidates the commune's matcher so the bot answers with the
new text at once.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalogue_store import save_overrides
from knowledge.merge import changed_fields
from knowledge.models import Channel, Procedure
from knowledge.normalize import fold
from staff.models import CatalogueEdit

CHANNEL_LABELS = {
    Channel.IN_PERSON: "Nộp trực tiếp",
    Channel.ONLINE: "Nộp trực tuyến",
    Channel.POST: "Qua bưu điện",
}
FIELD_LABELS = {
    "name": "Tên thủ tục",
    "plain_name": "Tên dễ hiểu",
    "summary": "Giới thiệu ngắn",
    "where": "Nơi nộp",
    "documents": "Giấy tờ cần nộp",
    "documents_to_show": "Giấy tờ xuất trình",
    "steps": "Các bước",
    "ways": "Cách nộp, thời gian, lệ phí",
    "requirements": "Điều kiện",
    "result": "Kết quả",
    "aliases": "Cách gọi khác",
    "tips": "Lưu ý",
    "legal_basis": "Căn cứ pháp lý",
    "source": "Nguồn",
    "levels": "Cấp thực hiện",
    "field": "Lĩnh vực",
}
EXTRA_DOCUMENT_ROWS = 3
MAX_ALIAS = 200
IMPORT_TTL = 3600.0


class EditError(ValueError):
    """Shown to the editor (Vietnamese)."""


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _fee_vnd(fee: str | None, typed: str) -> int | None:
    digits = re.sub(r"\D", "", typed)
    if digits:
        return int(digits)
    if not fee:
        return None
    if "miễn" in fee.lower() or "không thu" in fee.lower():
        return 0
    found = re.match(r"^\s*([\d.,]+)\s*(?:đ|đồng|vnđ|vnd)", fee.lower())
    return int(re.sub(r"\D", "", found.group(1))) if found else None


def _days(value: str) -> float | None:
    value = value.strip().replace(",", ".")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise EditError(f"Số ngày «{value}» không phải là số.") from None


def from_form(current: Procedure, data: dict[str, str]) -> Procedure:
    """The procedure as the edit form describes it; official identity fields are kept."""
    values: dict[str, Any] = current.model_dump()
    for name in ("plain_name", "summary", "where", "requirements", "result"):
        text = data.get(name, "").strip()
        values[name] = text or None
    for name in ("aliases", "tips", "steps"):
        values[name] = _lines(data.get(name, ""))
    documents = []
    for i in range(int(data.get("doc_count", "0") or 0)):
        name = data.get(f"doc-{i}-name", "").strip()
        if not name:
            continue
        documents.append(
            {
                "name": name,
                "form": data.get(f"doc-{i}-form", "").strip() or None,
                "copies": data.get(f"doc-{i}-copies", "").strip() or None,
                "note": data.get(f"doc-{i}-note", "").strip() or None,
            }
        )
    values["documents"] = documents
    shown = {d.name: d.model_dump() for d in current.documents_to_show}
    values["documents_to_show"] = [
        shown.get(name, {"name": name}) for name in _lines(data.get("documents_to_show", ""))
    ]
    ways = []
    for channel in Channel:
        key = channel.value
        if not data.get(f"way-{key}"):
            continue
        fee = data.get(f"way-{key}-fee", "").strip() or None
        old = current.way(channel)
        ways.append(
            {
                "channel": key,
                "time": data.get(f"way-{key}-time", "").strip() or None,
                "days": _days(data.get(f"way-{key}-days", "")),
                "fee": fee,
                "fee_vnd": _fee_vnd(fee, data.get(f"way-{key}-fee_vnd", "")),
                "note": old.note if old else None,
            }
        )
    values["ways"] = ways
    try:
        return Procedure.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise EditError(f"Dữ liệu chưa hợp lệ ở «{where}»: {first.get('msg', '')}") from None


def form_values(p: Procedure) -> dict[str, Any]:
    """What the edit form shows, including blank rows for new documents."""
    docs = [d.model_dump() for d in p.documents]
    docs += [{"name": "", "form": "", "copies": "", "note": ""}] * EXTRA_DOCUMENT_ROWS
    ways = []
    for channel in Channel:
        way = p.way(channel)
        ways.append(
            {
                "key": channel.value,
                "label": CHANNEL_LABELS[channel],
                "on": way is not None,
                "time": (way.time if way else None) or "",
                "days": "" if not way or way.days is None else f"{way.days:g}",
                "fee": (way.fee if way else None) or "",
                "fee_vnd": "" if not way or way.fee_vnd is None else str(way.fee_vnd),
            }
        )
    return {
        "documents": docs,
        "ways": ways,
        "documents_to_show": "\n".join(d.name for d in p.documents_to_show),
        "aliases": "\n".join(p.aliases),
        "tips": "\n".join(p.tips),
        "steps": "\n".join(p.steps),
    }


async def save_edit(
    session: AsyncSession,
    *,
    commune_id: int,
    before: Procedure,
    after: Procedure,
    kind: str,
    account_id: int | None,
    username: str,
    now: datetime,
) -> CatalogueEdit | None:
    """Store the edited procedure and its history row; None when nothing changed."""
    fields = [f for f in changed_fields(before, after) if f != "source"]
    if not fields:
        return None
    # Only the fields staff changed are stored, as overrides: they win over shipped and
    # imported data, and may clear a field or remove an alias.
    changes = after.model_dump(mode="json", include=set(fields))
    await save_overrides(
        session, commune_id, after.code, changes, source=f"staff:{username}", now=now
    )
    edit = CatalogueEdit(
        commune_id=commune_id,
        code=after.code,
        kind=kind,
        account_id=account_id,
        username=username,
        at=now,
        fields=fields,
        before=before.model_dump(mode="json"),
        after=after.model_dump(mode="json"),
    )
    session.add(edit)
    await session.flush()
    return edit


def with_aliases(p: Procedure, phrases: Sequence[str]) -> Procedure:
    """The procedure with residents' phrasings added as aliases (no duplicates by folded form)."""
    known = {fold(a) for a in p.aliases}
    added = list(p.aliases)
    for phrase in phrases:
        text = " ".join(phrase.split())[:MAX_ALIAS]
        key = fold(text)
        if text and key and key not in known:
            known.add(key)
            added.append(text)
    return p.model_copy(update={"aliases": added})


async def history(
    session: AsyncSession, commune_id: int, code: str | None = None, limit: int = 100
) -> list[CatalogueEdit]:
    query = select(CatalogueEdit).where(CatalogueEdit.commune_id == commune_id)
    if code is not None:
        query = query.where(CatalogueEdit.code == code)
    query = query.order_by(CatalogueEdit.at.desc(), CatalogueEdit.id.desc()).limit(limit)
    return list((await session.execute(query)).scalars())


def show_value(value: object) -> str:
    """A field's value as readable text for the history page."""
    if value is None or value == [] or value == "":
        return "(trống)"
    if isinstance(value, list):
        lines = []
        for item in value:
            if isinstance(item, dict):
                lines.append(" · ".join(str(v) for v in item.values() if v not in (None, "")))
            else:
                lines.append(str(item))
        return "\n".join(f"• {line}" for line in lines)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def matches(p: Procedure, query: str) -> bool:
    if not query:
        return True
    needle = fold(query)
    if p.code.startswith(query.strip()):
        return True
    haystack = " ".join([p.name, p.plain_name or "", p.field, *p.aliases])
    return needle in fold(haystack)


# --- imports: upload, preview, confirm ---------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    token: str
    path: Path
    commune_id: int
    account_id: int
    all_levels: bool


def _imports_dir(data_dir: Path) -> Path:
    return data_dir / "staff-imports"


def store_upload(
    data_dir: Path,
    filename: str,
    content: bytes,
    *,
    commune_id: int,
    account_id: int,
    all_levels: bool,
) -> Upload:
    """Keep an uploaded file until it is confirmed (or an hour has passed)."""
    root = _imports_dir(data_dir)
    _clean(root)
    token = secrets.token_urlsafe(18)
    folder = root / token
    folder.mkdir(parents=True)
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", Path(filename).name)[-100:] or "upload"
    path = folder / safe
    path.write_bytes(content)
    meta = {"commune_id": commune_id, "account_id": account_id, "all_levels": all_levels}
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return Upload(token, path, commune_id, account_id, all_levels)


def find_upload(data_dir: Path, token: str) -> Upload | None:
    if not re.fullmatch(r"[A-Za-z0-9_-]{10,64}", token):
        return None
    folder = _imports_dir(data_dir) / token
    meta_path = folder / "meta.json"
    if not meta_path.exists() or time.time() - meta_path.stat().st_mtime > IMPORT_TTL:
        return None
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    files = [p for p in folder.iterdir() if p.name != "meta.json"]
    if not files:
        return None
    return Upload(token, files[0], meta["commune_id"], meta["account_id"], meta["all_levels"])


def discard_upload(upload: Upload) -> None:
    shutil.rmtree(upload.path.parent, ignore_errors=True)


def _clean(root: Path) -> None:
    if not root.exists():
        return
    for folder in root.iterdir():
        meta = folder / "meta.json"
        if folder.is_dir() and (
            not meta.exists() or time.time() - meta.stat().st_mtime > IMPORT_TTL
        ):
            shutil.rmtree(folder, ignore_errors=True)
