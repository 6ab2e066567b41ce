"""The staff web in a real browser: Playwright driving Debian's Chromium, headless.

The server runs in a thread of its own (its own event loop and runtime, on SQLite),
so these tests are plain functions using Playwright's synchronous API; one browser
serves the whole module. A resident uses the real web chat page in a second browser
context. Screenshots of the main pages go to artifacts/screenshots/.

Chromium comes from Debian (scripts/install-test-deps); Playwright never downloads a
browser here. Without it the tests are skipped locally and fail in CI.
"""

from __future__ import annotations

import asyncio
import io
import re
import shutil
import threading
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import openpyxl
import pytest

from bot.app import Runtime, build_runtime
from bot.config import Settings
from bot.db.base import utcnow
from staff import accounts
from tests.conftest import require_test_deps
from tests.staff.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).parents[2] / "artifacts" / "screenshots"
KHAI_SINH = "1.001193"
T = TypeVar("T")


def _require_browser() -> None:
    missing = not Path(CHROMIUM).exists()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = True
    if missing:
        if require_test_deps():
            pytest.fail("Chromium and playwright are required (scripts/install-test-deps)")
        pytest.skip("Chromium or playwright not installed")


class LiveServer:
    """The whole application on a loopback port, in a thread with its own loop."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.runtime: Runtime | None = None
        self.url = ""
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._runner: Any = None

    def start(self) -> None:
        self._thread.start()
        self.call(self._start)

    async def _start(self) -> None:
        from aiohttp import web

        from bot.web import create_app

        self.runtime = build_runtime(self.settings)
        await self.runtime.start()
        self._runner = web.AppRunner(create_app(self.runtime, manage_runtime=False))
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    def call(self, fn: Callable[[], Awaitable[T]]) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(fn(), self.loop)  # type: ignore[arg-type]
        return future.result(timeout=60)

    def stop(self) -> None:
        async def stop() -> None:
            await self._runner.cleanup()
            assert self.runtime is not None
            await self.runtime.stop()

        self.call(stop)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    _require_browser()
    from argon2 import PasswordHasher

    from staff import security

    patch = pytest.MonkeyPatch()
    patch.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    root = tmp_path_factory.mktemp("browser")
    settings = Settings(
        data_dir=root / "data",
        database_url=f"sqlite+aiosqlite:///{root / 'motcua.db'}",
        commune_name="Xã An Bình",
        commune_address="Số 1 đường Trần Phú, xã An Bình",
        commune_phone="0203 3888 123",
    )
    live = LiveServer(settings)
    live.start()

    async def seed() -> None:
        runtime = live.runtime
        assert runtime is not None
        commune = runtime.communes.by_slug("default")
        assert commune is not None
        async with runtime.db.transaction() as session:
            await accounts.create(
                session,
                username="lan",
                password=PASSWORD,
                role="commune_admin",
                commune_id=commune.id,
                display_name="Nguyễn Thị Lan",
                now=utcnow(),
            )

    live.call(seed)
    live.call(lambda: seed_answers(live))
    yield live
    live.stop()
    patch.undo()


async def seed_answers(live: LiveServer) -> None:
    """Survey answers over the year so far, for a dashboard with figures to show."""
    import secrets
    from datetime import timedelta

    from surveys.models import Response

    runtime = live.runtime
    assert runtime is not None
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    now = utcnow()
    async with runtime.db.transaction() as session:
        for i in range(120):
            score = 5 if i % 9 else (3 if i % 2 else 2)
            session.add(
                Response(
                    commune_id=commune.id,
                    instrument="sipas-2026@1",
                    evidence="visit",
                    procedure_code=KHAI_SINH,
                    field="Hộ tịch",
                    field_group="other",
                    mode="online" if i % 4 == 0 else "in_person",
                    answered_at=now - timedelta(days=(i * 3) % max(1, now.timetuple().tm_yday)),
                    overall=score,
                    access=score,
                    procedure=5,
                    civil_servant=score,
                    result=5,
                    feedback=4,
                    receipt=secrets.token_hex(32),
                )
            )


@pytest.fixture(scope="module")
def browser(server: LiveServer) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def staff_page(browser: Any, server: LiveServer) -> Iterator[Any]:
    """A signed-in staff member's page."""
    context = browser.new_context(base_url=server.url, accept_downloads=True, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/staff/")
    page.fill("input[name=username]", "lan")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/staff/$"))
    yield page
    context.close()


@pytest.fixture
def resident(browser: Any, server: LiveServer) -> Iterator[Any]:
    """A resident on the web chat page, in a browser context of their own."""
    context = browser.new_context(base_url=server.url, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.clock.install()
    page.goto("/")
    page.wait_for_selector(".msg.bot")
    yield page
    context.close()


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def chat_session(resident: Any) -> str:
    return str(resident.evaluate("JSON.parse(localStorage.getItem('motcua-chat-default')).session"))


def resident_says(resident: Any, text: str) -> str:
    """Type in the chat; returns the bot's newest message once it arrived."""
    before = resident.locator(".msg.bot").count()
    resident.fill("#text", text)
    resident.press("#text", "Enter")
    resident.wait_for_function("n => document.querySelectorAll('.msg.bot').length > n", arg=before)
    return str(resident.locator(".msg.bot").last.inner_text())


def wait_for_chat(resident: Any, needle: str) -> str:
    """Let the page's 5-second poll run (on a fast-forwarded clock) until ``needle`` shows."""
    for _ in range(20):
        resident.clock.run_for(5_100)
        found = resident.locator(".msg.bot", has_text=needle)
        if found.count():
            return str(found.last.inner_text())
        resident.wait_for_timeout(100)
    raise AssertionError(f"{needle!r} never reached the resident's chat")


def test_sign_in_and_see_the_dashboard(staff_page: Any) -> None:
    assert staff_page.locator("h1").inner_text().startswith("Tổng quan")
    assert staff_page.locator("#targets tbody tr").count() == 5
    assert "120 phiếu" in staff_page.locator("#stat-satisfaction").inner_text()
    assert staff_page.locator("svg.chart").count() >= 1
    shot(staff_page, "dashboard")
    staff_page.set_viewport_size({"width": 390, "height": 844})
    shot(staff_page, "dashboard-phone")


def test_answer_a_complaint_and_the_reply_reaches_the_residents_chat(
    staff_page: Any, resident: Any, server: LiveServer
) -> None:
    session_id = chat_session(resident)

    async def file_complaint() -> str:
        from tests.staff.conftest import open_ticket

        assert server.runtime is not None
        return await open_ticket(
            server.runtime,
            "Nộp hồ sơ khai sinh 2 tuần chưa có kết quả, gọi điện không ai nghe",
            session_id=session_id,
        )

    code = server.call(file_complaint)
    staff_page.goto("/staff/complaints")
    shot(staff_page, "complaints")
    staff_page.click(f"text={code}")
    staff_page.wait_for_selector("#reply-form")
    assert "0912***678" in staff_page.locator("#contact").inner_text()
    staff_page.click("#reveal")
    assert "0912345678" in staff_page.locator("#contact-phone").inner_text()
    staff_page.fill("#reply-form textarea", "Hồ sơ đã có kết quả, mời anh đến nhận sáng mai.")
    staff_page.click("#reply-form button[type=submit]")
    staff_page.wait_for_selector("text=Đã gửi trả lời tới người dân")
    assert staff_page.locator("#status").inner_text() == "Đã trả lời"
    shot(staff_page, "complaint")
    text = wait_for_chat(resident, code)
    assert "Hồ sơ đã có kết quả, mời anh đến nhận sáng mai." in text
    shot(resident, "resident-chat-reply")


def test_edit_a_fee_and_the_bots_answer_changes(staff_page: Any, resident: Any) -> None:
    before = resident_says(resident, "lệ phí đăng ký khai sinh bao nhiêu")
    assert "khai sinh" in before.lower() and "45.000 đồng" not in before
    staff_page.goto(f"/staff/catalogue/{KHAI_SINH}")
    fees = staff_page.locator("input[id^=fee-]")
    for i in range(fees.count()):
        if fees.nth(i).input_value():
            fees.nth(i).fill("45.000 đồng")
    staff_page.locator("input[name$=-fee_vnd]").evaluate_all(
        "els => els.forEach(e => { if (e.value) e.value = '45000'; })"
    )
    shot(staff_page, "catalogue-edit")
    staff_page.click("#procedure-form button[type=submit]")
    staff_page.wait_for_selector("text=Đã lưu.")
    after = resident_says(resident, "lệ phí đăng ký khai sinh bao nhiêu")
    assert "45.000 đồng" in after
    staff_page.goto("/staff/catalogue/history")
    assert "45.000 đồng" in staff_page.content()


def test_link_an_unanswered_question(staff_page: Any, resident: Any) -> None:
    asked = "con bò nhà tôi đi lạc sang xóm bên thì báo ai"  # nothing in the catalogue
    resident_says(resident, asked)
    staff_page.goto("/staff/questions")
    group = staff_page.locator("section.cluster", has_text=asked)
    group.locator("select[name=code]").select_option(KHAI_SINH)
    shot(staff_page, "questions")
    group.locator("button", has_text="Gắn vào thủ tục").click()
    staff_page.wait_for_selector("text=Đã gắn câu hỏi vào thủ tục")
    assert "Đã gửi câu trả lời tới 1 người dân" in staff_page.content()
    answer = wait_for_chat(resident, "cán bộ Xã An Bình đã tìm được thủ tục phù hợp")
    assert asked in answer and KHAI_SINH in answer


def test_download_an_export_and_open_it(staff_page: Any, tmp_path: Path) -> None:
    staff_page.goto("/staff/exports")
    staff_page.select_option("#export-kind", "complaints")
    staff_page.select_option("#export-format", "xlsx")
    staff_page.click("#export-form button[type=submit]")
    staff_page.wait_for_selector("#export-status[data-state=done]")
    shot(staff_page, "export")
    with staff_page.expect_download() as info:
        staff_page.click("#download")
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    assert target.suffix == ".xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(target.read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Mã phản ánh" and len(rows) >= 2
    assert all(str(row[0]).startswith("PA-") for row in rows[1:])


def test_other_pages_render_for_screenshots(staff_page: Any) -> None:
    for name, path in (
        ("catalogue", "/staff/catalogue"),
        ("visits", "/staff/visits"),
        ("settings", "/staff/settings"),
        ("accounts", "/staff/settings/accounts"),
        ("audit", "/staff/audit"),
    ):
        staff_page.goto(path)
        assert staff_page.locator("h1").count() == 1
        shot(staff_page, name)
    staff_page.goto("/staff/visits")
    staff_page.select_option("#visit-form select[name=procedure]", KHAI_SINH)
    staff_page.click("#visit-form button[type=submit]")
    staff_page.wait_for_selector("#slip svg")
    shot(staff_page, "receipt-slip")


__all__ = ["shutil"]
