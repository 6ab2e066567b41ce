"""Parsers for the national portal's tables, which its pages flatten into one string.

The crawled records keep each table as its cells run together with no separator, e.g.
``"Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến1Miễn phíDịch vụ bưu chính1Miễn phí"``.
Each function below undoes one table and says which defect it handles. They are pure
string functions so they can be tested on one-line examples and reused for any source
that writes the same tables (the Defence file reuses the fee parser).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from knowledge.importers.common import MISSING, clean, is_missing, normalize, one_line
from knowledge.models import Channel, Document, LegalDoc, Way

# --- ways to submit: cach_thuc_thuc_hien ---------------------------------------------------

WAYS_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
CHANNELS = {
    "Trực tiếp": Channel.IN_PERSON,
    "Trực tuyến": Channel.ONLINE,
    "Dịch vụ bưu chính": Channel.POST,
}
_CHANNEL_RE = re.compile("|".join(CHANNELS))
_CURRENCY = r"Việt Nam Đồng|VNĐ|VND|Đồng|đồng|USD"
_TIME_UNIT_RE = re.compile(
    r"(?P<num>\d+(?:[.,]\d+)?)\s*"
    r"(?P<unit>Ngày làm việc|ngày làm việc|Ngày|ngày|Giờ|giờ|Tháng|tháng|Năm|năm|Tuần|tuần)"
)
# A bare number is working days, unless it is the start of an amount ("120 VNĐ").
_TIME_BARE_RE = re.compile(rf"(?P<num>\d+(?:[.,]\d+)?)(?!\s*(?:{_CURRENCY})|\d|[.,]\d|/)")
_SAME_DAY_RE = re.compile(r"(?:Ngay\s+)?trong\s+ngày(?:\s+làm\s+việc)?", re.IGNORECASE)
_FEE_START_RE = re.compile(rf"Miễn phí|{MISSING}|\d[\d.,]*\s*(?:/\S+\s*)?(?:{_CURRENCY})")
_AMOUNT_RE = re.compile(
    rf"(?P<amount>\d[\d.,]*)\s*(?P<per>/[^\s(]+)?\s*(?P<cur>{_CURRENCY})(?P<per2>/[^\s(]+)?"
)


def parse_ways(text: str | None) -> list[Way]:
    """Rows of the "ways to submit" table.

    Defect handled: the table is flattened; a row starts where a channel name ("Trực tiếp",
    "Trực tuyến", "Dịch vụ bưu chính") is glued to the next cell (a time, a number or
    "Không có thông tin"), while the same words inside a description are followed by a
    space or a colon.
    """
    if text is None:
        return []
    body = normalize(text).replace("\n", " ")
    body = body.removeprefix(WAYS_HEADER)
    starts = [
        m
        for m in _CHANNEL_RE.finditer(body)
        if m.end() < len(body) and (body[m.end()].isdigit() or body[m.end()].isupper())
    ]
    ways = []
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(body)
        ways.append(_parse_way_row(CHANNELS[m.group()], body[m.end() : end]))
    return ways


def _parse_way_row(channel: Channel, row: str) -> Way:
    """One row: "<time><fee>[(fee detail)]<description>", e.g. "7 NgàyMiễn phíNộp tại..."."""
    time, days, rest = parse_time(row)
    fee, fee_vnd, fee_note, description = parse_fee(rest)
    note = "\n".join(part for part in (fee_note, clean(description)) if part) or None
    return Way(channel=channel, time=time, days=days, fee=fee, fee_vnd=fee_vnd, note=note)


def parse_time(text: str) -> tuple[str | None, float | None, str]:
    """Processing time at the start of a cell run: (plain text, working days, the rest).

    "15 Ngày làm việc" and a bare "1" are working days; "7 Ngày" is calendar days and
    "2 Giờ" hours, so they keep their text but no `days` (which means working days).
    """
    text = text.lstrip()
    if text.startswith(MISSING):
        return None, None, text[len(MISSING) :]
    m = _SAME_DAY_RE.match(text)
    if m:
        return "Trong ngày làm việc", 1.0, text[m.end() :]
    m = _TIME_UNIT_RE.match(text) or _TIME_BARE_RE.match(text)
    if m:
        number = float(m.group("num").replace(",", "."))
        unit = (m.groupdict().get("unit") or "ngày làm việc").lower()
        days = number if unit == "ngày làm việc" else None
        return f"{m.group('num')} {unit}", days, text[m.end() :]
    # Free-text times ("Không quy định", "Không phải trả kết quả ...") run up to the fee.
    fee = _FEE_START_RE.search(text)
    if fee is None or fee.start() == 0:
        return None, None, text
    return clean(text[: fee.start()]), None, text[fee.start() :]


def parse_fee(text: str) -> tuple[str | None, int | None, str | None, str]:
    """Fee at the start of a cell run: (plain text, amount in đồng, fee detail, the rest).

    Handles "Miễn phí", "Không có thông tin", "3,500,000 Việt Nam Đồng(/hồ sơ)",
    "Phí : 0 Đồng", "Lệ phí : 1.5 USD" and a parenthesised detail right after the amount.
    Defect handled: some rows say "Miễn phí" while their detail says the provincial
    council sets the fee; those get the council wording and no amount, not "free".
    """
    text = text.lstrip()
    text = re.sub(r"^(?:Lệ phí|Phí)\s*:\s*", "", text)
    fee: str | None
    fee_vnd: int | None
    if text.startswith("Miễn phí"):
        fee, fee_vnd, rest = "Miễn phí", 0, text[len("Miễn phí") :]
    elif text.startswith(MISSING):
        fee, fee_vnd, rest = None, None, text[len(MISSING) :]
    elif m := _AMOUNT_RE.match(text):
        fee, fee_vnd = _amount(m)
        rest = text[m.end() :]
    else:
        return None, None, None, text
    detail, rest = _leading_parenthetical(rest)
    if detail and detail.startswith("/") and fee and fee_vnd != 0:
        unit, _, detail = detail.partition("(")
        fee = fee + unit.rstrip()
        detail = detail.rstrip(")") or None
    detail = clean(detail)
    if detail and fee_vnd == 0 and _set_by_province(detail):
        fee, fee_vnd = "Theo mức do Hội đồng nhân dân tỉnh quy định", None
    return fee, fee_vnd, detail, rest


def _amount(m: re.Match[str]) -> tuple[str, int | None]:
    amount, currency = m.group("amount").rstrip(".,"), m.group("cur")
    per = m.group("per") or m.group("per2") or ""
    if currency == "USD":
        return f"{amount} USD{per}", None
    digits = re.sub(r"[.,]", "", amount)
    vnd = int(digits) if digits.isdigit() else None
    if vnd == 0:
        return "Miễn phí", 0
    if vnd is None:
        return f"{amount} đồng{per}", None
    return f"{vnd:,}".replace(",", ".") + f" đồng{per}", vnd


def _leading_parenthetical(text: str) -> tuple[str | None, str]:
    """Split "(detail (nested))rest" into ("detail (nested)", "rest")."""
    if not text.startswith("("):
        return None, text
    depth = 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return text[1:i], text[i + 1 :]
    return text[1:], ""


def _set_by_province(detail: str) -> bool:
    lowered = detail.lower()
    return ("hội đồng nhân dân" in lowered or "hđnd" in lowered) and "quyết định" in lowered


# --- dossier: thanh_phan_ho_so -------------------------------------------------------------

DOSSIER_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
_COPIES_RE = re.compile(
    r"(\d+)\s*bản\s*(chính|sao)(?:\s*,\s*(\d+)\s*bản\s*(chính|sao))?", re.IGNORECASE
)
_FILE_EXT_RE = re.compile(r"\.(?:docx?|pdf|xlsx?|rar|zip|odt|rtf|jpe?g|png)", re.IGNORECASE)
# A legal number (123/2015/NĐ-CP) glued to what follows it: the form's file name.
_GLUED_NUMBER_RE = re.compile(r"\d+/\d{4}/[A-ZĐ]+(?:-[A-ZĐ]+)*")
# Vietnamese letters by case, for boundaries where words are glued ("theo mẫuMau01").
_LOWER = "a-zàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
_UPPER = "A-ZÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ"
# A glued boundary: punctuation directly followed by a letter or digit (but not the "9.9"
# of a version number), or a lower-case letter directly followed by a capital or digit.
_GLUED_RE = re.compile(
    rf"(?P<version>\d\.(?=\d))|(?P<punct>[.;:)”\"])(?=[^\W_])|[{_LOWER}](?=[{_UPPER}0-9])"
)
_FORM_PREFIX_RE = re.compile(r"(?:Mẫu|Mau|MAU|Mus|Phụ lục|Phu luc|PL|Tờ khai|To ?khai|Don|Đơn)")
_BULLET_RE = re.compile(r"^(?:[-+–•*·]+\s*|\(\w{1,3}\)\s*|\d{1,2}[.)]\s+|[a-zđ]\)\s*)+")
_CONDITION_RE = re.compile(
    r"\s*\(((?:nếu|trường hợp|đối với|trong trường hợp|áp dụng|khi)\b[^()]*)\)\s*$",
    re.IGNORECASE,
)
# Row texts that name a paper. A row published with "0 bản chính" is a note unless it
# starts like one of these.
_PAPER_WORDS = (
    "ảnh",
    "bản",
    "báo cáo",
    "biên bản",
    "biên lai",
    "bảng",
    "bằng",
    "các giấy tờ",
    "căn cước",
    "chứng chỉ",
    "chứng nhận",
    "chứng thư",
    "chứng từ",
    "danh sách",
    "dự án",
    "đề án",
    "điều lệ",
    "đơn",
    "giấy",
    "hóa đơn",
    "hoá đơn",
    "hồ sơ",
    "hộ chiếu",
    "hợp đồng",
    "kế hoạch",
    "lý lịch",
    "mẫu",
    "nghị quyết",
    "phiếu",
    "phụ lục",
    "phương án",
    "quyết định",
    "sổ",
    "sơ yếu",
    "tài liệu",
    "thẻ",
    "thông báo",
    "thuyết minh",
    "tờ khai",
    "tờ trình",
    "trích lục",
    "văn bản",
    "vận đơn",
    "vận tải đơn",
)


@dataclass
class Dossier:
    """The dossier table split into papers to submit, papers to show, and dropped notes."""

    documents: list[Document] = field(default_factory=list)
    documents_to_show: list[Document] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    has_table: bool = False


def parse_dossier(text: str | None) -> Dossier:
    """The dossier table ("thành phần hồ sơ").

    Defects handled: blocks ("* Giấy tờ phải nộp:", "* Giấy tờ phải xuất trình:",
    "* Lưu ý:", "--", "Trường hợp ủy quyền...:") each repeat the header "Tên giấy tờMẫu đơn,
    tờ khaiSố lượng"; the text between a block's last row and the next header is the next
    block's title. Rows end in their copies ("1 bản chính", "1 bản chính,1 bản sao"); the
    template's file name is glued between the paper's name and the copies. Rows with "0
    bản chính" are mostly notes ("Trường hợp ... thì không phải nộp"), so they are dropped
    unless they name a paper; a "Lưu ý" block is notes only.
    """
    dossier = Dossier()
    if text is None:
        return dossier
    text = normalize(text).replace("\n", " ")
    if DOSSIER_HEADER not in text:
        return dossier
    dossier.has_table = True
    chunks = text.split(DOSSIER_HEADER)
    title = chunks[0]
    for position, chunk in enumerate(chunks[1:], start=1):
        rows, tail = _split_rows(chunk)
        last = position == len(chunks) - 1
        if last and clean(tail) and not _is_block_title(tail):
            rows.append((tail, None))  # a final paper published without its copies
        _add_block(dossier, title, rows)
        title = tail
    return dossier


def _split_rows(chunk: str) -> tuple[list[tuple[str, str | None]], str]:
    """(row text, copies) pairs, and the text after the last row."""
    rows: list[tuple[str, str | None]] = []
    start = 0
    for m in _COPIES_RE.finditer(chunk):
        rows.append((chunk[start : m.start()], _copies(m)))
        start = m.end()
    return rows, chunk[start:]


def _copies(m: re.Match[str]) -> str | None:
    """Copies tidied ("1 bản chính,1 bản sao" -> "1 bản chính, 1 bản sao"); all zero: None."""
    parts = [(m.group(1), m.group(2))]
    if m.group(3):
        parts.append((m.group(3), m.group(4)))
    kept = [f"{int(n)} bản {kind.lower()}" for n, kind in parts if int(n) > 0]
    return ", ".join(kept) or None


def _is_block_title(text: str) -> bool:
    stripped = text.strip()
    return stripped.startswith(("*", "--")) or stripped.endswith(":")


def _block_kind(title: str) -> str:
    lowered = title.lower()
    if "lưu ý" in lowered or "ghi chú" in lowered:
        return "notes"
    if "xuất trình" in lowered:
        return "show"
    return "submit"


def _block_note(title: str) -> str | None:
    """A block title worth keeping on its papers ("Trường hợp ủy quyền thực hiện thủ tục")."""
    note = one_line(title).strip(" *-–:")
    if not note or re.fullmatch(r"(?i)giấy tờ phải (?:nộp|xuất trình)(?: gồm)?", note):
        return None
    return note


def _add_block(dossier: Dossier, title: str, rows: list[tuple[str, str | None]]) -> None:
    kind = _block_kind(title)
    block_note = _block_note(title)
    target = dossier.documents_to_show if kind == "show" else dossier.documents
    for text, copies in rows:
        if not text.strip():
            continue
        name, form = _split_form(text.strip())
        name = _strip_item(name)
        if kind == "notes" or (copies is None and not _names_a_paper(name)):
            dossier.notes.append(text.strip())
            continue
        note = None
        if (m := _CONDITION_RE.search(name)) and name[: m.start()].strip():
            name, note = name[: m.start()].strip(" ;,.:"), m.group(1).strip()
        if not name:
            if form is None:
                continue
            name = form
        notes = [part for part in (block_note, note) if part]
        target.append(Document(name=name, form=form, copies=copies, note="; ".join(notes) or None))


def item_name(text: str) -> str:
    """A list item without its bullet or numbering ("- ", "+ ", "(3) ", "a) ") or end mark."""
    return _strip_item(one_line(text))


def _strip_item(text: str) -> str:
    return _BULLET_RE.sub("", text).strip(" ;,.:")


def _names_a_paper(name: str) -> bool:
    lowered = name.lower()
    return not lowered.endswith(":") and lowered.startswith(_PAPER_WORDS)


def split_form(text: str) -> tuple[str, str | None]:
    """Split a row into the paper's name and its template file name(s).

    Defect handled: the file name is glued to the name ("...(mẫu NA17)101-Mau A17 tam tru
    cho nguoi nuoc ngoai.doc"). The file name starts at the first glued boundary in the
    last clause before the extension: punctuation followed by a character, a lower-case
    letter followed by a capital or digit, or the end of a legal number; a known prefix
    ("Mẫu", "Mau", "Phụ lục") wins when several boundaries are possible.
    """
    return _split_form(one_line(text))


def _split_form(text: str) -> tuple[str, str | None]:
    ends = [m.end() for m in _FILE_EXT_RE.finditer(text)]
    if not ends:
        return text, None
    first_end = ends[0]
    start = _file_name_start(text[:first_end])
    name = text[:start].strip()
    files = [text[start:first_end].strip()]
    files += [text[a:b].strip() for a, b in itertools.pairwise(ends)]
    rest = text[ends[-1] :].strip()
    if rest:
        name = f"{name} {rest}".strip()
    form = "; ".join(dict.fromkeys(f for f in files if f)) or None
    return name, form


def _file_name_start(region: str) -> int:
    ext_start = region.rfind(".")
    cut = max(region.rfind(". ", 0, ext_start), region.rfind("; "), region.rfind(": "))
    # File names are short: looking further back than 150 characters only finds false
    # boundaries (and costs time on long rows).
    clause_start = max(cut + 2 if cut >= 0 else 0, ext_start - 150)
    candidates = [
        m.end() if m.group("punct") else m.start() + 1
        for m in _GLUED_RE.finditer(region, max(clause_start - 1, 0), ext_start)
        if not m.group("version")
    ]
    candidates += [
        end
        for m in _GLUED_NUMBER_RE.finditer(region, clause_start)
        if (end := _issuer_end(region, m.end())) < ext_start and region[end].isalnum()
    ]
    prefixed = [p for p in candidates if _FORM_PREFIX_RE.match(region, p)]
    if prefixed or candidates:
        return min(prefixed or candidates)
    # Nothing glued: the file name is the last prefixed phrase, else the last word.
    spaced = [m.start() for m in _FORM_PREFIX_RE.finditer(region, clause_start, ext_start)]
    spaced = [p for p in spaced if p == clause_start or region[p - 1] == " "]
    if spaced:
        return spaced[-1]
    space = region.rfind(" ", 0, ext_start)
    return space + 1 if space >= 0 else 0


def _issuer_end(text: str, end: int) -> int:
    """Where a glued legal number really ends: "NĐ-CPM|au03" belongs at "NĐ-CP|Mau03"."""
    while end < len(text) and text[end].islower() and text[end - 1].isupper():
        end -= 1
    return end


# --- legal basis: can_cu_phap_ly ----------------------------------------------------------

LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
_DOC_TYPES = (
    r"(?:Bộ luật|Luật|Pháp lệnh|Nghị định|Nghị quyết|Thông tư liên tịch|Thông tư|Quyết định)"
)
# 60/2014/QH13, 123/2015/NĐ-CP, 66.7/2025/NQ-CP, 02/2020/UBTVQH14, 163/QĐ-BTP,
# 191/2005/TTLT/BQP-BLĐTBXH. "QH" and "UBTVQH" take the legislature's number; the issuer
# is upper case except "TTg" (the Prime Minister), so a glued "NĐ-CPNghị định..." ends at
# "NĐ-CP" and a glued "QH1360/2014/QH13" at "QH13".
_ISSUER = r"(?:[A-ZĐ]*QH\d{2}|TTg|[A-ZĐ]+)"
_LEGAL_NUMBER = rf"\d+(?:\.\d+)?/(?:\d{{4}}/)?{_ISSUER}(?:[-/]{_ISSUER})*"
_LEGAL_NUMBER_RE = re.compile(rf"(?:{_DOC_TYPES}(?: số)? )?{_LEGAL_NUMBER}")


def parse_legal_basis(text: str | None) -> list[LegalDoc]:
    """(title, number) pairs of the legal basis table.

    Defect handled: pairs are run together ("...Luật Hộ tịch123/2015/NĐ-CPThông tư số
    08/2025..."). A number ends a pair when it is glued to the title before it; numbers
    quoted inside a title follow a space ("Nghị định số 123/2015/NĐ-CP ngày ...") or run
    on into a lower-case word ("53/2025/TT-BCAngày 01/7/2025").
    """
    if text is None:
        return []
    body = one_line(text).removeprefix(LEGAL_HEADER)
    docs: list[LegalDoc] = []
    start = 0
    for m in _LEGAL_NUMBER_RE.finditer(body):
        begin, number = _split_glued_year(m)
        if begin <= start or body[begin - 1].isspace():
            continue
        after = body[m.end() :]
        if _TITLE_WORD_RE.match(after) or (after[:1].isspace() and after[1:2].islower()):
            continue  # "…/TT-BCAngày 01/7/2025", "…/NĐ-CP ngày": quoted inside a title
        number, end = _trim_issuer(body, number, m.end())
        title = body[start:begin].strip()
        if title:
            docs.append(LegalDoc(title=title, number=find_legal_number(number) or number))
        start = end
    rest = body[start:].strip()
    if rest and not is_missing(rest):
        docs.append(LegalDoc(title=rest, number=None))
    return _dedupe_legal(docs)


# Lower-case words that follow a number quoted inside a title, even without a space.
_TITLE_WORD_RE = re.compile(r"(?:ngày|của|về|và|năm|tháng|quy|sửa|hướng|ban|do|được|tại)\b")


def _split_glued_year(m: re.Match[str]) -> tuple[int, str]:
    """A title ending in a year glued to the number: "sửa đổi 202323/2023/QH15" is the
    title "... sửa đổi 2023" and the number "23/2023/QH15"."""
    number = m.group()
    digits = re.match(r"\d+", number)
    if digits and len(digits.group()) > 4 and re.match(r"(?:19|20)\d\d", number):
        return m.start() + 4, number[4:]
    return m.start(), number


def _trim_issuer(body: str, number: str, end: int) -> tuple[str, int]:
    """Drop a trailing capital that belongs to the next title ("NĐ-CPN|ghị định")."""
    while end < len(body) and body[end].islower() and number[-1].isupper():
        number, end = number[:-1], end - 1
    return number.rstrip("-/"), end


def _dedupe_legal(docs: list[LegalDoc]) -> list[LegalDoc]:
    seen: set[tuple[str, str | None]] = set()
    unique = []
    for doc in docs:
        key = (doc.title, doc.number)
        if key not in seen:
            seen.add(key)
            unique.append(doc)
    return unique


def find_legal_number(text: str) -> str | None:
    """The first legal number quoted in a text ("Quyết định số 12/2021/QĐ-TTg ngày...")."""
    m = re.search(_LEGAL_NUMBER, text)
    return m.group() if m else None


# --- steps: trinh_tu_thuc_hien ------------------------------------------------------------

_INLINE_STEP_RE = re.compile(r"(?<=\S)\s+(?=(?:[-+]\s*)?Bước\s*\d+\s*[:.])")


def parse_steps(text: str | None) -> list[str]:
    """Steps, one per line.

    Defects handled: lines broken in the middle of a sentence (a line starting in lower
    case continues the previous one), and steps run together on one line ("+ Bước 1: ...
    + Bước 2: ...").
    """
    value = clean(text)
    if value is None:
        return []
    steps: list[str] = []
    for raw_line in value.splitlines():
        for line in _INLINE_STEP_RE.split(raw_line):
            line = line.strip()
            if not line:
                continue
            line = line.lstrip("-+•– ")
            if not line:
                continue
            if steps and line[0].islower():
                steps[-1] = f"{steps[-1]} {line}"
            else:
                steps.append(line)
    return steps


# --- result: ket_qua_xu_ly ----------------------------------------------------------------

_RESULT_CODE_RE = re.compile(r"Mã:\s*[A-Z]+(?:\.[A-Z]*\d+)*")
_PAGE_CHROME = ("Từ khóa", "Chọn cơ quan thực hiện")


def parse_result(text: str | None) -> str | None:
    """What the resident receives.

    Defect handled: the page's chrome follows the result ("Mã: KQ.G15.000031Từ khóaKhông có
    thông tinMô tả...Chọn cơ quan thực hiện...Nộp hồ sơ"); several results are separated
    only by their "Mã: KQ..." codes.
    """
    value = strip_chrome(text)
    if value is None:
        return None
    names = [one_line(part).strip(" ;,") for part in _RESULT_CODE_RE.split(value)]
    names = [name for name in names if name and not is_missing(name)]
    return "; ".join(dict.fromkeys(names)) or None


def strip_chrome(text: str | None) -> str | None:
    """Cut the page chrome ("Từ khóa...Mô tả...Chọn cơ quan thực hiện...") off a value."""
    value = clean(text)
    if value is None:
        return None
    cut = min((i for i in (value.find(m) for m in _PAGE_CHROME) if i >= 0), default=-1)
    if cut >= 0:
        value = value[:cut]
    return clean(value)
