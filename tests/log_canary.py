"""A pytest plugin that watches every log record of the test session for personal data.

Installed from tests/conftest.py (its hooks are imported there) and usable alone with
``-p tests.log_canary``. A handler on the root logger sees each record any test emits,
at INFO and above for every library (the production default) and DEBUG for the
project's own packages, and checks its message and any exception text against the
canary values of tests/privacy_canaries.py. At the end of the session a leak fails the
run and the summary shows where it came from.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest

from tests.privacy_canaries import canaries, found_in

PROJECT_LOGGERS = ("bot", "handlers", "knowledge", "surveys", "complaints", "staff", "privacy")
_FORMATTER = logging.Formatter()


@dataclass(frozen=True)
class Leak:
    test: str
    logger: str
    level: str
    found: tuple[str, ...]
    line: str


class LeakWatch(logging.Handler):
    """Records every log record that carries a canary value (and counts the others)."""

    def __init__(self, needles: tuple[str, ...] | None = None) -> None:
        super().__init__(logging.DEBUG)
        self.needles = needles or canaries()
        self.leaks: list[Leak] = []
        self.seen = 0
        self.test = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.seen += 1
        try:
            text = record.getMessage()
        except Exception:  # a broken format string still must not hide its arguments
            text = f"{record.msg!r} % {record.args!r}"
        if record.exc_info:
            text += "\n" + _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            text += "\n" + record.exc_text
        if record.stack_info:
            text += "\n" + record.stack_info
        found = found_in(text, self.needles)
        if found:
            self.leaks.append(
                Leak(self.test, record.name, record.levelname, tuple(found), text[:500])
            )

    def report(self) -> str:
        lines = [f"personal data in {len(self.leaks)} log record(s) of {self.seen}:"]
        for leak in self.leaks[:20]:
            lines.append(f"  {leak.test}: {leak.logger} {leak.level} {leak.found}: {leak.line!r}")
        return "\n".join(lines)


WATCH = LeakWatch()


def pytest_configure(config: pytest.Config) -> None:
    root = logging.getLogger()
    if WATCH not in root.handlers:
        root.addHandler(WATCH)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    for name in PROJECT_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)


def pytest_runtest_setup(item: pytest.Item) -> None:
    WATCH.test = item.nodeid


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if WATCH.leaks:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if WATCH.leaks:
        terminalreporter.section("personal data in logs", sep="!", red=True, bold=True)
        terminalreporter.write_line(WATCH.report())
    else:
        terminalreporter.write_line(
            f"log canary: {WATCH.seen} log records checked, no personal data"
        )
