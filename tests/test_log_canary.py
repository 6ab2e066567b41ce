"""The log watcher can fail: a planted log line with a canary value is caught, in a
message, in its arguments and in an exception's text, and a whole pytest run with such
a line fails while the same run without it passes."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from tests.log_canary import WATCH, LeakWatch
from tests.privacy_canaries import CANARY, SECOND, canaries

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def planted() -> logging.Logger:
    """A logger of its own, kept away from the session's watcher (a planted leak must
    not fail the real suite)."""
    logger = logging.getLogger("tests.planted")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger


def test_every_canary_form_is_watched() -> None:
    needles = canaries()
    for value in (CANARY.name, CANARY.address, SECOND.phone, "0987 654 321", "+84987654321"):
        assert value.lower() in needles


def test_a_planted_line_is_caught(planted: logging.Logger) -> None:
    watch = LeakWatch()
    planted.addHandler(watch)
    try:
        planted.info("ticket PA-7K3M2Q opened (other, chat)")
        assert watch.leaks == [] and watch.seen == 1
        planted.info("contact %s, %s", CANARY.name, "0987.654.321")
        try:
            raise ValueError(f"bad address {SECOND.address}")
        except ValueError:
            planted.exception("handler failed")
        planted.debug("name: " + SECOND.name.upper())  # case does not hide it
    finally:
        planted.removeHandler(watch)
    found = [leak.found for leak in watch.leaks]
    assert found == [
        (CANARY.name.lower(), "0987.654.321"),
        (SECOND.address.lower(),),
        (SECOND.name.lower(),),
    ]
    assert "personal data in 3 log record(s) of 4" in watch.report()


def test_the_session_watcher_sees_the_project_loggers() -> None:
    assert WATCH in logging.getLogger().handlers
    before = WATCH.seen
    logging.getLogger("complaints.service").debug("ticket PA-7K3M2Q: nothing personal")
    assert WATCH.seen == before + 1


@pytest.mark.parametrize("leak", [False, True])
def test_a_run_with_a_leak_fails(tmp_path: Path, leak: bool) -> None:
    test = tmp_path / "test_planted.py"
    value = CANARY.phone if leak else "PA-7K3M2Q"
    test.write_text(
        "import logging\n\n"
        "def test_logs() -> None:\n"
        f"    logging.getLogger('bot.planted').info('sent to %s', {value!r})\n",
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "pytest", "-q", "-p", "tests.log_canary"]
    run = subprocess.run(
        [*command, "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(test)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if leak:
        assert run.returncode == 1, run.stdout
        assert "personal data in 1 log record(s)" in run.stdout
        assert "test_planted.py::test_logs: bot.planted INFO" in run.stdout
    else:
        assert run.returncode == 0, run.stdout
        assert "no personal data" in run.stdout
