"""What staff do on the web and what residents then see in the chat: answering a
complaint, editing a fee, linking an unanswered question, importing a file, exports."""

from __future__ import annotations

import asyncio
import csv
import io
import re

import openpyxl
import pytest
from sqlalchemy import select

from bot.app import Runtime
from bot.db.base import utcnow
from bot.db.models import Question
from complaints.models import Ticket, TicketEvent
from staff import questions
from staff.models import AuditEntry, CatalogueEdit
from staff.roles import Role
from tests.staff.conftest import (
    RESIDENT_SESSION,
    Client,
    ask_bot,
    chat_updates,
    csrf_of,
    open_ticket,
    sign_in,
)

KHAI_SINH = "1.001193"


async def test_a_reply_from_the_inbox_reaches_the_residents_web_chat(
    runtime: Runtime,
    web_client: Client,
    staff_accounts: dict[Role, str],
) -> None:
    code = await open_ticket(runtime)
    csrf = await sign_in(web_client, staff_accounts[Role.OFFICER])
    inbox = await (await web_client.get("/staff/complaints")).text()
    assert code in inbox
    page = await (await web_client.get(f"/staff/complaints/{code}")).text()
    assert "0912***678" in page and "0912345678" not in page
    done = await web_client.post(
        f"/staff/complaints/{code}/reply",
        data={"csrf": csrf, "text": "Hồ sơ của bạn đã có kết quả, mời bạn đến nhận."},
    )
    assert "Đã gửi trả lời" in await done.text()
    received = await chat_updates(web_client)
    assert any(code in t and "Hồ sơ của bạn đã có kết quả" in t for t in received)
    async with runtime.db.read() as session:
        ticket = (await session.execute(select(Ticket).where(Ticket.code == code))).scalar_one()
        assert ticket.status == "answered" and ticket.assignee == "staffweb:officer-1"


async def test_revealing_a_contact_is_logged_and_an_auditor_cannot(
    runtime: Runtime,
    web_client: Client,
    staff_accounts: dict[Role, str],
) -> None:
    code = await open_ticket(runtime)
    csrf = await sign_in(web_client, staff_accounts[Role.UNIT_HEAD])
    shown = await web_client.post(f"/staff/complaints/{code}/reveal", data={"csrf": csrf})
    assert "0912345678" in await shown.text()
    async with runtime.db.read() as session:
        entry = (
            await session.execute(select(AuditEntry).where(AuditEntry.action == "reveal_contact"))
        ).scalar_one()
        assert entry.username == "unit-head-1" and entry.target == code
        kinds = (await session.execute(select(TicketEvent.kind))).scalars().all()
    assert "contact_viewed" in kinds
    web_client.session.cookie_jar.clear()
    csrf = await sign_in(web_client, staff_accounts[Role.AUDITOR])
    refused = await web_client.post(f"/staff/complaints/{code}/reveal", data={"csrf": csrf})
    assert refused.status == 403


async def test_denunciations_stay_hidden_from_staff_not_designated(
    runtime: Runtime,
    web_client: Client,
    staff_accounts: dict[Role, str],
) -> None:
    code = await open_ticket(runtime, "Tố cáo cán bộ X nhận tiền", category="legal")
    await sign_in(web_client, staff_accounts[Role.OFFICER])
    page = await (await web_client.get(f"/staff/complaints/{code}")).text()
    assert "nhận tiền" not in page and "[bảo mật]" in page
    assert "nhận tiền" not in await (await web_client.get("/staff/complaints")).text()


async def test_editing_a_fee_changes_the_bots_answer_at_once(
    runtime: Runtime,
    web_client: Client,
    staff_accounts: dict[Role, str],
) -> None:
    before = await ask_bot(web_client, "lệ phí đăng ký khai sinh bao nhiêu")
    assert "123.000 đồng" not in before
    csrf = await sign_in(web_client, staff_accounts[Role.OFFICER])
    page = await (await web_client.get(f"/staff/catalogue/{KHAI_SINH}")).text()
    form = _form_fields(page, "procedure-form")
    for key in list(form):
        if re.fullmatch(r"way-[a-z_]+-fee", key):
            form[key] = "123.000 đồng"
        if re.fullmatch(r"way-[a-z_]+-fee_vnd", key):
            form[key] = "123000"
    form["csrf"] = csrf
    saved = await web_client.post(f"/staff/catalogue/{KHAI_SINH}", data=form)
    assert saved.status == 200 and "Đã lưu" in await saved.text()
    after = await ask_bot(web_client, "lệ phí đăng ký khai sinh bao nhiêu", "resident-session-0002")
    assert "123.000 đồng" in after
    history = await (await web_client.get("/staff/catalogue/history")).text()
    assert "123.000 đồng" in history
    async with runtime.db.read() as session:
        edit = (await session.execute(select(CatalogueEdit))).scalar_one()
    assert edit.fields == ["ways"] and edit.username == "officer-1"


def _form_fields(html: str, form_id: str) -> dict[str, str]:
    """The named inputs, textareas and checked boxes of one form, as a browser sends them."""
    body = html.split(f'id="{form_id}"', 1)[1].split("</form>", 1)[0]
    fields: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", body):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        if 'type="checkbox"' in tag and " checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        fields[name.group(1)] = _unescape(value.group(1)) if value else ""
    for name, value in re.findall(r'<textarea name="([^"]+)">(.*?)</textarea>', body, re.S):
        fields[name] = _unescape(value)
    return fields


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


async def test_linking_a_question_adds_an_alias_and_answers_the_resident(
    runtime: Runtime,
    web_client: Client,
    staff_accounts: dict[Role, str],
) -> None:
    asked = "con bò nhà tôi đi lạc sang xóm bên thì báo ai"  # nothing in the catalogue
    await ask_bot(web_client, "/start")
    reply = await ask_bot(web_client, asked)
    async with runtime.db.read() as session:
        rows = (
            (await session.execute(select(Question).where(Question.text == asked))).scalars().all()
        )
    assert rows and not rows[0].answered, f"the bot answered it already: {reply}"
    await chat_updates(web_client)
    csrf = await sign_in(web_client, staff_accounts[Role.OFFICER])
    page = await (await web_client.get("/staff/questions")).text()
    assert asked in page
    linked = await web_client.post(
        "/staff/questions/link",
        data={"csrf": csrf, "question": str(rows[0].id), "alias": asked, "code": KHAI_SINH},
    )
    assert "Đã gửi câu trả lời tới 1 người dân" in await linked.text()
    received = await chat_updates(web_client)
    assert any(asked in t and "khai sinh" in t.lower() for t in received)
    async with runtime.db.read() as session:
        row = await session.get(Question, rows[0].id)
        assert row is not None and row.resolved_code == KHAI_SINH
    again = await ask_bot(web_client, asked, "resident-session-0003")
    assert again.startswith("Làm giấy khai sinh cho con (mã 1.001193)"), again


def test_similar_questions_are_grouped() -> None:
    def q(i: int, text: str) -> Question:
        return Question(id=i, text=text, codes=[], channel="web", user_id="u")

    groups = questions.group(
        [
            q(5, "xin giay chung sinh cho be"),
            q(4, "Xin giấy chứng sinh cho bé"),
            q(3, "giấy chứng sinh cho bé xin ở đâu"),
            q(2, "nuôi ong có phải xin phép không"),
            q(1, "xin giay chung sinh"),
        ]
    )
    assert [len(g.questions) for g in groups] == [4, 1]
    assert groups[1].first.id == 2


async def test_importing_a_file_shows_a_preview_then_applies(
    runtime: Runtime,
    web_client: Client,
    staff_accounts: dict[Role, str],
) -> None:
    csrf = await sign_in(web_client, staff_accounts[Role.COMMUNE_ADMIN])
    yaml_text = (
        "procedures:\n"
        f"  - code: '{KHAI_SINH}'\n"
        "    name: Đăng ký khai sinh\n"
        "    aliases: [làm giấy khai sinh mới tinh]\n"
        "  - code: '9.999001'\n"
        "    name: Thủ tục thử nghiệm nhập tệp\n"
        "    field: Thử nghiệm\n"
    )
    from aiohttp import FormData

    data = FormData()
    data.add_field("csrf", csrf)
    data.add_field("file", yaml_text.encode(), filename="xa.yaml", content_type="application/yaml")
    preview = await web_client.post("/staff/catalogue/import", data=data)
    text = await preview.text()
    assert preview.status == 200, text
    assert "9.999001" in text and "1</strong> thêm mới" in text
    assert (await runtime.knowledge.for_commune(runtime.communes.all()[0])).catalogue.get(
        "9.999001"
    ) is None
    token = re.search(r'name="token" value="([^"]+)"', text)
    assert token
    done = await web_client.post(
        "/staff/catalogue/import/confirm", data={"csrf": csrf, "token": token.group(1)}
    )
    assert "Đã nhập danh mục" in await done.text()
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    catalogue = (await runtime.knowledge.for_commune(commune)).catalogue
    assert catalogue.get("9.999001") is not None
    assert "làm giấy khai sinh mới tinh" in catalogue[KHAI_SINH].aliases


async def test_an_export_is_written_in_the_background_downloaded_and_logged(
    runtime: Runtime,
    web_client: Client,
    staff_accounts: dict[Role, str],
) -> None:
    code = await open_ticket(runtime)
    csrf = await sign_in(web_client, staff_accounts[Role.REPORTING_OFFICER])
    for fmt in ("xlsx", "csv"):
        created = await web_client.post(
            "/staff/exports",
            data={"csrf": csrf, "kind": "complaints", "format": fmt, "period": "2026"},
            allow_redirects=False,
        )
        assert created.status == 302
        job = created.headers["Location"]
        for _ in range(100):
            state = await (await web_client.get(f"{job}/status")).json()
            if state["status"] in ("done", "failed"):
                break
            await asyncio.sleep(0.05)
        assert state["status"] == "done", state
        download = await web_client.get(f"{job}/download")
        assert download.status == 200
        body = await download.read()
        if fmt == "xlsx":
            sheet = openpyxl.load_workbook(io.BytesIO(body)).active
            values = [row for row in sheet.iter_rows(values_only=True)]
        else:
            values = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert values[0][0] == "Mã phản ánh"
        assert any(row[0] == code for row in values[1:])
        assert not any("0912345678" in str(cell) for row in values for cell in row)
    refused = await web_client.post(
        "/staff/exports",
        data={"csrf": csrf, "kind": "complaints", "format": "csv", "period": "2026", "reveal": "1"},
    )
    assert refused.status == 403  # a reporting officer may export, not reveal contacts
    async with runtime.db.read() as session:
        actions = (await session.execute(select(AuditEntry.action))).scalars().all()
    assert actions.count("export") == 2 and actions.count("export_download") == 2


async def test_the_survey_report_is_exported_as_pdf(
    runtime: Runtime,
    web_client: Client,
    staff_accounts: dict[Role, str],
) -> None:
    csrf = await sign_in(web_client, staff_accounts[Role.COMMUNE_ADMIN])
    created = await web_client.post(
        "/staff/exports",
        data={"csrf": csrf, "kind": "report", "format": "pdf", "period": "2026"},
        allow_redirects=False,
    )
    job = created.headers["Location"]
    for _ in range(200):
        state = await (await web_client.get(f"{job}/status")).json()
        if state["status"] in ("done", "failed"):
            break
        await asyncio.sleep(0.05)
    assert state["status"] == "done", state
    assert (await (await web_client.get(f"{job}/download")).read()).startswith(b"%PDF")


async def test_recording_a_visit_prints_a_slip_with_the_qr_code(
    runtime: Runtime,
    web_client: Client,
    staff_accounts: dict[Role, str],
) -> None:
    csrf = await sign_in(web_client, staff_accounts[Role.OFFICER])
    page = await web_client.post(
        "/staff/visits",
        data={
            "csrf": csrf,
            "procedure": KHAI_SINH,
            "dossier": "H12.34-260715-0001",
            "mode": "in_person",
        },
    )
    text = await page.text()
    assert page.status == 200 and "<svg" in text and "Hạn đánh giá" in text
    poster = await web_client.post("/staff/visits/poster", data={"csrf": csrf, "counter": "Quầy 2"})
    assert poster.status == 200 and (await poster.read()).startswith(b"%PDF")


__all__ = ["RESIDENT_SESSION", "csrf_of"]


async def test_a_long_answers_export_reports_its_progress(
    runtime: Runtime,
    web_client: Client,
    staff_accounts: dict[Role, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import secrets

    from staff import exports
    from staff.models import ExportJob
    from surveys.models import Response

    commune = runtime.communes.by_slug("default")
    assert commune is not None
    now = utcnow()
    async with runtime.db.transaction() as session:
        for _ in range(250):
            session.add(
                Response(
                    commune_id=commune.id,
                    instrument="sipas-2026@1",
                    answered_at=now,
                    overall=5,
                    comment='=HYPERLINK("http://x")',
                    receipt=secrets.token_hex(32),
                )
            )
    seen: list[tuple[int, int | None]] = []
    original = exports._progress

    async def spy(rt: Runtime, job_id: str, done: int, total: int | None) -> None:
        seen.append((done, total))
        await original(rt, job_id, done, total)

    monkeypatch.setattr(exports, "PROGRESS_EVERY", 100)
    monkeypatch.setattr(exports, "_progress", spy)
    csrf = await sign_in(web_client, staff_accounts[Role.COMMUNE_ADMIN])
    created = await web_client.post(
        "/staff/exports",
        data={
            "csrf": csrf,
            "kind": "answers",
            "format": "csv",
            "period": str(now.year),
            "comments": "1",
        },
        allow_redirects=False,
    )
    job_id = created.headers["Location"].rsplit("/", 1)[1]
    for _ in range(200):
        state = await (await web_client.get(f"/staff/exports/{job_id}/status")).json()
        if state["status"] == "done":
            break
        await asyncio.sleep(0.05)
    assert state == {"status": "done", "done": 250, "total": 250, "label": "Xong (250 dòng)"}
    assert seen == [(0, 250), (100, 250), (200, 250)]
    body = (await (await web_client.get(f"/staff/exports/{job_id}/download")).read()).decode(
        "utf-8-sig"
    )
    assert "'=HYPERLINK" in body  # formulas defused by the surveys export
    async with runtime.db.read() as session:
        job = await session.get(ExportJob, job_id)
        assert job is not None and job.total_rows == 250


async def test_reminders_for_a_web_only_account_are_not_left_waiting(runtime: Runtime) -> None:
    from bot import outbox
    from bot.db.models import OutboxItem
    from bot.types import Reply

    commune = runtime.communes.by_slug("default")
    assert commune is not None
    async with runtime.db.transaction() as session:
        rows = outbox.enqueue(
            session,
            commune.id,
            [
                outbox.Envelope(
                    "staffweb", "officer-1", Reply("Sắp đến hạn PA-ABCDEF"), kind="staff_alert"
                )
            ],
        )
        await session.flush()
        row_id = rows[0].id
    await runtime.relay.run_once()
    async with runtime.db.read() as session:
        row = await session.get(OutboxItem, row_id)
    assert row is not None and row.status == "undeliverable"
