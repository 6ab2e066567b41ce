"""``motcua visits|surveys|report`` end to end on a SQLite file."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import openpyxl
import pytest

from bot.cli import main


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(os.environ):
        if key.startswith("MOTCUA_") and key != "MOTCUA_SHARED_DIR":
            monkeypatch.delenv(key)
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MOTCUA_COMMUNE_NAME", "Xã An Bình")
    monkeypatch.setenv("MOTCUA_TELEGRAM_BOT_USERNAME", "xa_an_binh_bot")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_visit_add_prints_the_code_and_the_deep_link(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    qr = env / "qr.png"
    code = main(
        ["visits", "add", "--procedure", "1.001193", "--counter", "Quầy 1", "--qr", str(qr)]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert re.search(r"typed code: DG-[0-9A-Z]{4}-[0-9A-Z]{4}", out)
    link = re.search(r"https://t\.me/xa_an_binh_bot\?start=(\S+)", out)
    assert link and len(link.group(1)) <= 64
    assert qr.read_bytes().startswith(b"\x89PNG")


def test_import_index_verify_export_and_report(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    visits = env / "ds.csv"
    visits.write_text(
        "Mã hồ sơ,Mã thủ tục,Quầy,Cán bộ,Thời gian\n"
        "H1,1.001193,Quầy 1,A,2026-07-15 08:30\n"
        "H2,1.001193,Quầy 1,A,2026-07-15 09:00\n",
        encoding="utf-8",
    )
    out_csv = env / "invitations.csv"
    assert main(["visits", "import", str(visits), "--out", str(out_csv)]) == 0
    assert "2 visits recorded" in capsys.readouterr().out
    assert out_csv.read_text(encoding="utf-8-sig").count("DG-") == 2

    assert main(["surveys", "verify"]) == 0
    assert "intact" in capsys.readouterr().out

    assert (
        main(["surveys", "target", "--year", "2026", "--indicator", "sipas", "--value", "90"]) == 0
    )
    capsys.readouterr()
    assert main(["surveys", "index", "--period", "2026-Q3", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["targets"]["sipas"]["target"] == 0.9
    assert figures["targets"]["sipas"]["answers"] == 0
    assert figures["targets"]["sipas"]["answers_needed"] == 381

    export = env / "a.xlsx"
    assert (
        main(
            [
                "surveys",
                "export",
                "--from",
                "2026-07-01",
                "--to",
                "2026-09-30",
                "--format",
                "xlsx",
                "--output",
                str(export),
            ]
        )
        == 0
    )
    assert openpyxl.load_workbook(export).active.max_row == 1  # header only

    report = env / "r.xlsx"
    assert main(["report", "--period", "2026-Q3", "--format", "xlsx", "--output", str(report)]) == 0
    assert "Báo cáo" in openpyxl.load_workbook(report).sheetnames


def test_a_bad_period_is_a_clear_error(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["surveys", "index", "--period", "quý 3"]) == 2
    assert "unknown period" in capsys.readouterr().err
