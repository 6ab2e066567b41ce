"""The command line as an operator uses it, in a subprocess."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

from tests.commands import run_motcua
from tests.knowledge.portal_samples import write_samples

FIXTURES = write_samples()


def motcua(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return run_motcua(*args, timeout=300, MOTCUA_DATA_DIR=str(tmp_path / "data"))


def test_bench_matcher_prints_both_matchers_on_both_catalogues(tmp_path: Path) -> None:
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        "\n".join(json.dumps({"text": t}) for t in ["khai sinh", "lam so do o dau", "xin chào"]),
        encoding="utf-8",
    )
    sample = str(FIXTURES / "tthc_sample.jsonl")
    done = motcua(
        "bench", "matcher", "--catalogue", sample, "--full", sample,
        "--queries", str(queries), "--rounds", "1", "--json", tmp_path=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    for who in ("matcher", "baseline"):
        assert {"p50_ms", "p99_ms", "rss_mb"} <= set(figures[who])
        assert {"p50_ms", "p99_ms"} <= set(figures["full"][who])
    assert figures["catalogue"]["queries"] == 3


def test_ask_prints_the_answer_a_resident_would_read(tmp_path: Path) -> None:
    done = motcua("ask", "lam giay khai sinh can gi", "--json", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["matches"][0]["code"] == "1.001193"
    assert "Tờ khai đăng ký khai sinh" in answer["replies"][0]["text"]


def test_a_malformed_catalogue_file_is_refused_with_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"ma_thu_tuc": "1.001193"}\n{not json\n', encoding="utf-8")
    done = motcua("catalogue", "import", str(bad), tmp_path=tmp_path)
    assert done.returncode == 2
    assert "line 2" in done.stderr and "nothing was changed" in done.stderr
    listed = motcua("catalogue", "list", tmp_path=tmp_path)
    assert listed.returncode == 0
    assert "1.001193" in listed.stdout  # the shipped catalogue is still there, unchanged


def test_a_units_chat_set_for_complaints_becomes_a_staff_chat(tmp_path: Path) -> None:
    units = json.dumps({"reform_office": {"chats": [["telegram", "-1001234"]]}})
    done = motcua("complaints", "settings", "--set", f"units={units}", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    db = sqlite3.connect(tmp_path / "data" / "motcua.db")
    [(settings,)] = db.execute("SELECT settings FROM communes WHERE slug = 'default'").fetchall()
    assert json.loads(settings)["staff_chats"] == [["telegram", "-1001234"]]


def test_a_procedure_the_commune_does_not_handle_can_be_switched_off(tmp_path: Path) -> None:
    assert motcua("catalogue", "disable", "1.013067", tmp_path=tmp_path).returncode == 0
    listed = motcua("catalogue", "list", tmp_path=tmp_path).stdout
    assert "1.013067" not in listed and "1.001193" in listed
    unknown = motcua("catalogue", "disable", "9.999999", tmp_path=tmp_path)
    assert unknown.returncode == 2 and "no procedure 9.999999" in unknown.stderr
    assert motcua("catalogue", "enable", "1.013067", tmp_path=tmp_path).returncode == 0
    assert "1.013067" in motcua("catalogue", "list", tmp_path=tmp_path).stdout


def test_a_setting_out_of_range_is_named_without_a_traceback(tmp_path: Path) -> None:
    done = run_motcua(
        "work", timeout=60, MOTCUA_DATA_DIR=str(tmp_path), MOTCUA_WORKER_NICENESS="30"
    )
    assert done.returncode == 2
    assert "MOTCUA_WORKER_NICENESS: Input should be less than or equal to 19" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_broken_communes_file_is_named_without_a_traceback(tmp_path: Path) -> None:
    communes = tmp_path / "communes.yaml"
    problems = {
        "communes:\n  - slug: xa-a\n    name: [Xã A\n": "cannot read commune config",
        "xa-a: Xã A\n": "expected a top-level 'communes:' list",
        "communes:\n  - slug: xa-a\n    name: Xã A\n  - xa-b\n": "entry 2 of 'communes:' is not a",
        "communes:\n  - slug: xa-a\n    name: Xã A\n    telegram: {tokn: '123:abc'}\n": (
            "commune 'xa-a': telegram.tokn: Extra inputs are not permitted"
        ),
    }
    for text, message in problems.items():
        communes.write_text(text, encoding="utf-8")
        done = run_motcua(
            "serve", timeout=60, MOTCUA_DATA_DIR=str(tmp_path), MOTCUA_CONFIG=str(communes)
        )
        assert done.returncode == 2, text
        assert message in done.stderr and str(communes) in done.stderr
        assert "Traceback" not in done.stderr and "123:abc" not in done.stderr
