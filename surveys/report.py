"""The satisfaction report for a period: figures against targets, with tables and a
chart, plus the complaint on-time rate, as XLSX and as PDF to attach to the commune's
quarterly report.

Every percentage is shown with its number of answers and 95% interval, and with a
verdict that respects the uncertainty: "Đạt" only when the whole interval is at or
above the target, "Chưa đạt" when it is entirely below, otherwise "Chưa đủ căn cứ" with
the number of answers still needed.

The PDF needs a TrueType font covering Vietnamese: DejaVu Sans (Debian package
fonts-dejavu-core) is found in its usual place, or set MOTCUA_REPORT_FONT to a regular
.ttf (a bold file beside it named *-Bold.ttf is used when present).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from surveys import index as satisfaction
from surveys.instrument import ELEMENT_LABELS, IN_PERSON, ONLINE, default_book
from surveys.periods import LOCAL, Period
from surveys.stats import MIN_CELL, Figure

FONT_CANDIDATES = (
    str(Path(__file__).parent / "fonts" / "DejaVuSans.ttf"),  # shipped with the package
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
)
VERDICTS = {"met": "Đạt", "missed": "Chưa đạt", "uncertain": "Chưa đủ căn cứ", "none": "—"}
MODE_LABELS = {IN_PERSON: "Trực tiếp tại Bộ phận Một cửa", ONLINE: "Trực tuyến"}
TITLE = "BÁO CÁO KẾT QUẢ ĐO LƯỜNG SỰ HÀI LÒNG CỦA NGƯỜI DÂN, TỔ CHỨC"
METHOD = (
    "Tỷ lệ hài lòng = số phiếu chấm 4 hoặc 5 điểm (thang 1-5) / tổng số phiếu. "
    "Khoảng tin cậy 95% theo phương pháp Wilson. «Đạt» khi cả khoảng tin cậy không thấp "
    "hơn mục tiêu; «Chưa đạt» khi cả khoảng tin cậy thấp hơn mục tiêu; còn lại «Chưa đủ "
    "căn cứ». «Cần thêm» là số phiếu cần có thêm để sai số không quá ±5 điểm phần trăm. "
    "Chỉ tính phiếu gắn với hồ sơ thực tế; phiếu quét mã QR tại quầy được thống kê riêng. "
    f"Ô có dưới {MIN_CELL} phiếu theo quầy, cán bộ không công bố để bảo đảm ẩn danh."
)


@dataclass
class ReportData:
    commune_name: str
    period: Period
    index: satisfaction.CommuneIndex
    complaints: dict[str, Any] | None
    generated_at: datetime
    group_labels: dict[str, str] = field(default_factory=dict)


async def gather(
    session: AsyncSession,
    *,
    commune_id: int,
    commune_name: str,
    period: Period,
    now: datetime,
) -> ReportData:
    index = await satisfaction.commune_index(session, commune_id, period)
    complaints: dict[str, Any] | None = None
    try:
        from complaints import service as complaint_service
    except ImportError:  # pragma: no cover - the complaints feature ships with the package
        complaint_service = None  # type: ignore[assignment]
    if complaint_service is not None:
        start, end = period.utc_bounds()
        complaints = await complaint_service.on_time_rate(session, commune_id, start, end, now=now)
    book = default_book()
    labels = {g.key: g.label for g in book.field_groups}
    labels["other"] = book.group_label("other")
    return ReportData(commune_name, period, index, complaints, now, labels)


# --- shared formatting ----------------------------------------------------------------------


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%".replace(".", ",")


def points(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 100:+.1f} điểm".replace(".", ",")


def interval(figure: Figure) -> str:
    ci = figure.interval
    return "—" if ci is None else f"{pct(ci[0])} - {pct(ci[1])}"


HEADER = [
    "Chỉ tiêu",
    "Số phiếu",
    "Tỷ lệ hài lòng",
    "Khoảng tin cậy 95%",
    "Mục tiêu",
    "Chênh lệch",
    "Đánh giá",
    "Cần thêm (phiếu)",
]


def figure_row(label: str, figure: Figure) -> list[str]:
    if figure.suppressed:
        return [label, str(figure.answers), f"ẩn (< {MIN_CELL} phiếu)", "—", "—", "—", "—", "—"]
    needed = figure.answers_needed
    return [
        label,
        str(figure.answers),
        pct(figure.rate),
        interval(figure),
        pct(figure.target) if figure.target is not None else "—",
        points(figure.gap),
        VERDICTS[figure.verdict],
        "—" if needed is None else str(needed),
    ]


def sections(data: ReportData) -> list[tuple[str, list[list[str]]]]:
    """(title, rows) of every table, the same in XLSX and PDF."""
    idx = data.index
    result = [
        (
            "1. Kết quả so với chỉ tiêu",
            [figure_row(satisfaction.INDICATORS[k], f) for k, f in idx.indicators.items()],
        ),
        (
            "2. Theo các yếu tố SIPAS",
            [figure_row(ELEMENT_LABELS[k], f) for k, f in idx.elements.items()],
        ),
        (
            "3. Theo nhóm lĩnh vực",
            [figure_row(data.group_labels.get(k, k), f) for k, f in idx.field_groups.items()],
        ),
        (
            "4. Theo hình thức",
            [figure_row(MODE_LABELS.get(k, k), f) for k, f in idx.modes.items()],
        ),
        ("5. Theo quầy", [figure_row(k, f) for k, f in idx.counters.items()]),
        ("6. Theo cán bộ", [figure_row(k, f) for k, f in idx.officers.items()]),
    ]
    if idx.months:
        result.append(
            ("7. Theo tháng (chỉ số SIPAS)", [figure_row(k, f) for k, f in idx.months.items()])
        )
    extra = []
    if idx.counter_qr is not None:
        extra.append(figure_row("Phiếu quét QR tại quầy (không gắn hồ sơ)", idx.counter_qr))
    if extra:
        result.append(("8. Phiếu có độ tin cậy thấp hơn (thống kê riêng)", extra))
    return result


COMPLAINT_HEADER = [
    "Phản ánh, kiến nghị",
    "Tiếp nhận",
    "Đến hạn",
    "Đúng hạn",
    "Quá hạn",
    "Chưa đến hạn",
    "Tỷ lệ đúng hạn",
    "Mục tiêu",
]


def complaint_rows(data: ReportData) -> list[list[str]]:
    if not data.complaints:
        return []
    overall = data.complaints.get("overall") or {}

    def num(key: str) -> str:
        value = overall.get(key)
        return "—" if value is None else str(value)

    rate = overall.get("rate")
    return [
        [
            "Xử lý đúng hạn",
            num("received"),
            num("due"),
            num("on_time"),
            num("overdue"),
            num("pending"),
            pct(rate if isinstance(rate, (int, float)) else None),
            "100,0%",
        ]
    ]


def subtitle(data: ReportData) -> str:
    return f"{data.commune_name} - {data.period.title}"


def footer(data: ReportData) -> str:
    created = data.generated_at.astimezone(LOCAL).strftime("%d/%m/%Y %H:%M")
    idx = data.index
    text = f"Tổng số phiếu gắn hồ sơ: {idx.answers}. Lập lúc {created}."
    if idx.flagged:
        text += f" {idx.flagged} phiếu quét QR tại quầy bị đánh dấu gửi dồn dập, không tính."
    return text


# --- XLSX -----------------------------------------------------------------------------------------


def write_xlsx(data: ReportData, path: Path) -> None:
    import openpyxl
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Báo cáo"
    bold = Font(bold=True)
    sheet.append([TITLE])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([subtitle(data)])
    sheet.append([footer(data)])
    chart_rows: tuple[int, int] | None = None
    for title, rows in sections(data):
        sheet.append([])
        sheet.append([title])
        sheet.cell(sheet.max_row, 1).font = bold
        sheet.append(HEADER)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
        first = sheet.max_row + 1
        for row in rows:
            sheet.append(row)
        if chart_rows is None:
            chart_rows = (first, sheet.max_row)
    complaints = complaint_rows(data)
    if complaints:
        sheet.append([])
        sheet.append(["9. Phản ánh, kiến nghị về thủ tục hành chính"])
        sheet.cell(sheet.max_row, 1).font = bold
        sheet.append(COMPLAINT_HEADER)
        for row in complaints:
            sheet.append(row)
    sheet.append([])
    sheet.append(["Phương pháp: " + METHOD])
    sheet.cell(sheet.max_row, 1).alignment = Alignment(wrap_text=True)
    widths = [52, 10, 14, 22, 10, 14, 16, 16]
    for i, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    # Numbers behind the chart (rates as numbers, not text) on their own sheet.
    numbers = workbook.create_sheet("Số liệu biểu đồ")
    numbers.append(["Chỉ tiêu", "Tỷ lệ hài lòng (%)", "Mục tiêu (%)", "Số phiếu"])
    for key, figure in data.index.indicators.items():
        numbers.append(
            [
                satisfaction.INDICATORS[key],
                round(figure.rate * 100, 1) if figure.rate is not None else None,
                round(figure.target * 100, 1) if figure.target is not None else None,
                figure.answers,
            ]
        )
    chart = BarChart()
    chart.type = "bar"
    chart.title = "Tỷ lệ hài lòng so với mục tiêu (%)"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 100
    last = numbers.max_row
    chart.add_data(
        Reference(numbers, min_col=2, max_col=3, min_row=1, max_row=last), titles_from_data=True
    )
    chart.set_categories(Reference(numbers, min_col=1, min_row=2, max_row=last))
    chart.width, chart.height = 22, 9
    sheet.add_chart(chart, "J3")
    workbook.save(path)


# --- PDF ------------------------------------------------------------------------------------------


def find_font() -> tuple[Path, Path | None]:
    configured = os.environ.get("MOTCUA_REPORT_FONT")
    candidates = [configured] if configured else list(FONT_CANDIDATES)
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            regular = Path(candidate)
            bold = regular.with_name(regular.stem + "-Bold" + regular.suffix)
            return regular, bold if bold.is_file() else None
    raise FileNotFoundError(
        "no TrueType font with Vietnamese letters for the PDF report: install DejaVu Sans "
        "(Debian: apt-get install fonts-dejavu-core) or set MOTCUA_REPORT_FONT"
    )


def write_pdf(data: ReportData, path: Path) -> None:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    regular, bold = find_font()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(f"{TITLE} - {subtitle(data)}")
    pdf.set_creator("motcua")
    pdf.add_font("Body", "", str(regular))
    pdf.add_font("Body", "B", str(bold or regular))
    pdf.add_page()
    pdf.set_font("Body", "B", 12)
    pdf.multi_cell(0, 6, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 11)
    pdf.cell(0, 7, subtitle(data), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 8)
    pdf.multi_cell(0, 4, footer(data), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _chart(pdf, data)
    widths = (58, 14, 18, 30, 14, 20, 20, 16)
    heading = FontFace(emphasis="BOLD", fill_color=(221, 235, 247))
    for title, rows in sections(data):
        if not rows:
            continue
        _section_title(pdf, title)
        pdf.set_font("Body", "", 7.5)
        with pdf.table(
            col_widths=widths,
            headings_style=heading,
            line_height=4.2,
            text_align=("LEFT", "RIGHT", "RIGHT", "CENTER", "RIGHT", "RIGHT", "CENTER", "RIGHT"),
        ) as table:
            table.row(HEADER)
            for row in rows:
                table.row(row)
    complaints = complaint_rows(data)
    _section_title(pdf, "9. Phản ánh, kiến nghị về thủ tục hành chính")
    pdf.set_font("Body", "", 7.5)
    if complaints:
        with pdf.table(
            col_widths=(40, 18, 18, 18, 18, 22, 24, 18), headings_style=heading, line_height=4.2
        ) as table:
            table.row(COMPLAINT_HEADER)
            for row in complaints:
                table.row(row)
    else:
        pdf.multi_cell(0, 4, "Chưa có số liệu phản ánh, kiến nghị.", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Body", "", 7.5)
    pdf.multi_cell(0, 4, "Phương pháp: " + METHOD, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def _section_title(pdf: Any, title: str) -> None:
    if pdf.get_y() > pdf.h - pdf.b_margin - 30:  # keep a title with its first rows
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font("Body", "B", 9.5)
    pdf.cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")


def _chart(pdf: Any, data: ReportData) -> None:
    """Horizontal bars (rate), whiskers (95% interval) and a red tick (target)."""
    figures = list(data.index.indicators.items())
    left, label_width, bar_width, row_height = pdf.l_margin, 62.0, 110.0, 8.0
    x0 = left + label_width
    pdf.set_font("Body", "B", 9.5)
    pdf.cell(0, 6, "Tỷ lệ hài lòng so với mục tiêu", new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y() + 1
    pdf.set_font("Body", "", 6.5)
    for tick in (0, 25, 50, 75, 100):
        x = x0 + bar_width * tick / 100
        pdf.set_draw_color(210, 210, 210)
        pdf.line(x, top, x, top + row_height * len(figures))
        pdf.set_xy(x - 5, top + row_height * len(figures) + 0.5)
        pdf.cell(10, 3, f"{tick}%", align="C")
    for i, (key, figure) in enumerate(figures):
        y = top + i * row_height
        pdf.set_font("Body", "", 7)
        pdf.set_xy(left, y + 1)
        pdf.multi_cell(label_width - 2, 3, satisfaction.INDICATORS[key], align="R")
        rate = figure.rate
        if rate is not None:
            colour = {"met": (84, 160, 84), "missed": (200, 70, 60)}.get(
                figure.verdict, (235, 165, 50)
            )
            pdf.set_fill_color(*colour)
            pdf.rect(x0, y + 1.5, bar_width * rate, row_height - 3, style="F")
            ci = figure.interval
            if ci is not None:
                pdf.set_draw_color(40, 40, 40)
                pdf.set_line_width(0.3)
                cy = y + row_height / 2
                pdf.line(x0 + bar_width * ci[0], cy, x0 + bar_width * ci[1], cy)
                for end in ci:
                    pdf.line(x0 + bar_width * end, cy - 1.2, x0 + bar_width * end, cy + 1.2)
            pdf.set_xy(x0 + bar_width + 1, y + 1.5)
            pdf.cell(25, 4, f"{pct(rate)} (n={figure.answers})")
        else:
            pdf.set_xy(x0 + 1, y + 1.5)
            pdf.cell(40, 4, "chưa có phiếu")
        if figure.target is not None:
            pdf.set_draw_color(200, 30, 30)
            pdf.set_line_width(0.6)
            tx = x0 + bar_width * figure.target
            pdf.line(tx, y + 0.5, tx, y + row_height - 0.5)
        pdf.set_line_width(0.2)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_draw_color(120, 120, 120)
    pdf.set_y(top + row_height * len(figures) + 5)
    pdf.set_font("Body", "", 6.5)
    pdf.cell(
        0,
        3,
        "Cột: tỷ lệ hài lòng (xanh: đạt, đỏ: chưa đạt, cam: chưa đủ căn cứ); "
        "thanh ngang: khoảng tin cậy 95%; vạch đỏ: mục tiêu.",
        new_x="LMARGIN",
        new_y="NEXT",
    )


def write(data: ReportData, path: Path, fmt: str) -> None:
    if fmt == "xlsx":
        write_xlsx(data, path)
    elif fmt == "pdf":
        write_pdf(data, path)
    else:
        raise ValueError(f"unknown report format {fmt!r}: xlsx or pdf")


__all__: Sequence[str] = ("ReportData", "gather", "write", "write_pdf", "write_xlsx")
