"""Visit lists in, answers and reports out: import, formula-safe export, XLSX and PDF."""

from __future__ import annotations

import csv
import os
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from bot.app import Runtime
from knowledge.catalogue import shipped_catalogue
from surveys import export, importer, report, service
from surveys.instrument import default_book
from surveys.models import Response
from surveys.periods import between, parse_period

pytestmark = pytest.mark.db

NOW = datetime(2026, 7, 15, 3, 0, tzinfo=UTC)
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

VISIT_LIST = (
    "\ufeffMã hồ sơ;Mã thủ tục;Quầy;Cán bộ;Thời gian;Hình thức;Chat\n"
    "H12.34-260715-0001;1.001193;Quầy 1;Nguyễn Văn A;15/07/2026 08:30;Trực tiếp;\n"
    "H12.34-260715-0002;1.001193;Quầy 2;Trần Thị B;15/07/2026 09:10;Trực tuyến;telegram:5551234\n"
    "H12.34-260715-0003;;Quầy 2;Trần Thị B;;Trực tiếp;\n"
)


async def _import(runtime: Runtime, path: Path) -> importer.ImportReport:
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    async with runtime.db.transaction() as session:
        return await importer.import_visits(
            session,
            path,
            commune_id=commune.id,
            now=NOW,
            options=service.SurveySettings(),
            catalogue=shipped_catalogue(),
            book=default_book(),
        )


async def test_daily_visit_list_is_imported_once(runtime: Runtime, tmp_path: Path) -> None:
    path = tmp_path / "ds.csv"
    path.write_text(VISIT_LIST, encoding="utf-8")
    result = await _import(runtime, path)
    assert len(result.created) == 2 and result.pushable == 1
    assert [line for line, _ in result.errors] == [4]
    first_row, _first = result.created[0]
    assert first_row.occurred_at.hour == 8 and first_row.mode == "in_person"
    assert result.created[1][0].mode == "online"
    assert result.created[1][1].push_channel == "telegram"
    again = await _import(runtime, path)
    assert again.existing == 2 and not again.created


async def test_visit_list_from_xlsx(runtime: Runtime, tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Dossier code", "Procedure code", "Counter", "Officer", "Time"])
    sheet.append(["D-1", "1.001193", "1", "A", datetime(2026, 7, 15, 8, 0)])
    path = tmp_path / "ds.xlsx"
    workbook.save(path)
    result = await _import(runtime, path)
    assert len(result.created) == 1 and not result.errors


async def _answers_with_formulas(runtime: Runtime) -> None:
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    async with runtime.db.transaction() as session:
        session.add(
            Response(
                commune_id=commune.id,
                instrument="sipas-2026@1",
                procedure_code="1.001193",
                field="Hộ tịch",
                counter="=cmd|' /C calc'!A0",
                officer="+84912345678",
                answered_at=NOW,
                overall=5,
                comment="@SUM(A1:A9) rất tốt",
                receipt="x" * 64,
            )
        )


async def test_csv_export_is_excel_ready_and_formula_safe(runtime: Runtime, tmp_path: Path) -> None:
    await _answers_with_formulas(runtime)
    start, end = between(NOW.date(), NOW.date()).utc_bounds()
    path = tmp_path / "a.csv"
    async with runtime.db.read() as session:
        written = await export.export(session, path, start, end, fmt="csv", with_comments=True)
    assert written == 1
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    header, row = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    values = dict(zip(header, row, strict=True))
    assert values["Quầy"] == "'=cmd|' /C calc'!A0"
    assert values["Cán bộ"] == "'+84912345678"
    assert values["Góp ý"].startswith("'@SUM")
    assert values["Lĩnh vực"] == "Hộ tịch"


async def test_xlsx_export_leaves_comments_out_unless_asked(
    runtime: Runtime, tmp_path: Path
) -> None:
    await _answers_with_formulas(runtime)
    start, end = between(NOW.date(), NOW.date()).utc_bounds()
    path = tmp_path / "a.xlsx"
    async with runtime.db.read() as session:
        await export.export(session, path, start, end, fmt="xlsx")
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert "Góp ý" not in rows[0]
    assert rows[1][rows[0].index("Quầy")] == "'=cmd|' /C calc'!A0"
    assert isinstance(rows[1][rows[0].index("Thời điểm đánh giá")], datetime)


async def _report_data(runtime: Runtime) -> report.ReportData:
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    async with runtime.db.transaction() as session:
        for i, score in enumerate([5] * 30 + [4] * 6 + [2] * 2):
            session.add(
                Response(
                    commune_id=commune.id,
                    instrument="sipas-2026@1",
                    field_group="land_construction_investment" if i % 3 == 0 else "other",
                    mode="online" if i % 4 == 0 else "in_person",
                    counter=f"Quầy {1 + i % 2}",
                    officer="Nguyễn Thị Hoà" if i < 35 else "Lê Văn Đức",
                    answered_at=NOW,
                    overall=score,
                    access=score,
                    procedure=score,
                    civil_servant=score,
                    result=score,
                    feedback=score,
                    receipt=f"{i:064d}",
                )
            )
    async with runtime.db.read() as session:
        return await report.gather(
            session,
            commune_id=commune.id,
            commune_name=commune.name,
            period=parse_period("2026-Q3"),
            now=NOW,
        )


async def test_xlsx_report_has_the_figures_and_a_chart(runtime: Runtime, tmp_path: Path) -> None:
    data = await _report_data(runtime)
    path = tmp_path / "r.xlsx"
    report.write_xlsx(data, path)
    sheet = openpyxl.load_workbook(path)["Báo cáo"]
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert any("Quý III năm 2026" in c for c in cells)
    assert "94,7%" in cells  # 36 of 38
    assert any("ẩn (< 5 phiếu)" in c for c in cells)  # Lê Văn Đức: 3 answers
    assert sheet._charts


async def test_pdf_report_renders_with_vietnamese_text(runtime: Runtime, tmp_path: Path) -> None:
    pdfium = pytest.importorskip("pypdfium2")
    try:
        report.find_font()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    data = await _report_data(runtime)
    path = tmp_path / "r.pdf"
    report.write_pdf(data, path)
    document = pdfium.PdfDocument(str(path))
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    for expected in (
        "BÁO CÁO KẾT QUẢ ĐO LƯỜNG SỰ HÀI LÒNG",
        "Xã An Bình - Quý III năm 2026",
        "Kết quả so với chỉ tiêu",
        "Hài lòng với TTHC đất đai, xây dựng, đầu tư",
        "Tiếp nhận, xử lý góp ý",
        "Nguyễn Thị Hoà",
        "Chưa đủ căn cứ",
    ):
        assert expected in " ".join(text.split()), expected
    image = document[0].render(scale=1.5).to_pil()
    ARTIFACTS.mkdir(exist_ok=True)
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        image.save(ARTIFACTS / "satisfaction-report-page1.png")
    grey = image.convert("L")
    dark = sum(grey.histogram()[:128])
    assert dark > 0.01 * grey.width * grey.height  # text and chart, not a blank page
    colours = {colour for _, colour in image.convert("RGB").getcolors(1 << 24) or []}
    document.close()
    assert (200, 70, 60) in colours or (84, 160, 84) in colours or (235, 165, 50) in colours
