"""A canary name and phone number go through every complaint path; afterwards no sink
may hold them: staff group messages and every other outbox row, log records, and
exports made without --reveal-contacts. Only the designated disclosure (/lienhe in a
private chat) carries them, and it is scrubbed from the outbox once sent."""

from __future__ import annotations

import io
import json
import logging

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from bot import outbox
from bot.app import Runtime
from bot.db.base import utcnow
from bot.db.models import Conversation, OutboxItem
from complaints import export
from complaints.models import Ticket
from complaints.sweeps import Sweeps
from handlers.staff import MESSAGES
from tests.complaints.drivers import (
    CONFIDENTIAL_OFFICER,
    Clock,
    IncomingDriver,
    StaffDriver,
    local,
    texts_of,
)
from tests.dialogue import ProcessorDriver, run_transcript
from tests.dialogues import complaints as dialogues

NAME = dialogues.CANARY_NAME
PHONE = dialogues.CANARY_PHONE
NEEDLES = (NAME, "Canary", PHONE, PHONE[1:], "0987 654 321", "+84987654321")


def leaks(text: str) -> list[str]:
    return [needle for needle in NEEDLES if needle.lower() in text.lower()]


class Fetcher:
    async def fetch(self, commune_slug: str, channel: str, file_ref: str) -> bytes:
        from PIL import Image

        out = io.BytesIO()
        Image.new("RGB", (20, 20)).save(out, format="JPEG")
        return out.getvalue()


async def _everything_happens(runtime: Runtime) -> None:
    """Tickets with the canary's contact, typed into the text, a denunciation, staff
    actions, follow-ups, lookups, and every sweep."""
    web = ProcessorDriver(runtime, "canary-web")
    code_web = dialogues.ticket_code(await run_transcript(web, dialogues.TICKET_WITH_CONTACT))

    telegram = IncomingDriver(runtime, "8800", name=NAME)
    await run_transcript(
        telegram,
        f"""
> /phananh
> [Đường sá, điện, rác]
> Ống nước vỡ ngoài ngõ 3. Tôi là {NAME}, gọi 0987 654 321 nhé
> [Tiếp tục]
""",
    )
    await telegram.send_photo("canary-photo")
    await run_transcript(telegram, "> Tiếp tục\n> [Để lại họ tên]\n> [Tôi đồng ý]")
    await telegram.say(NAME)
    summary = await telegram.share_contact("+84987654321", NAME)
    assert "đuôi 321" in texts_of(summary) and not leaks(texts_of(summary))
    sent = await run_transcript(telegram, "> Gửi phản ánh\n< Đã gửi phản ánh")
    code_tg = dialogues.ticket_code(sent)

    legal = IncomingDriver(runtime, "8801")
    legal_sent = await run_transcript(
        legal,
        f"""
> /phananh
> [Khiếu nại, tố cáo]
> Tôi, {NAME}, tố cáo việc thu tiền sai quy định ở bộ phận một cửa
> [Tiếp tục]
> [Để lại họ tên]
> [Tôi đồng ý]
> {NAME}
> {PHONE}
> [Gửi phản ánh]
< Đã gửi phản ánh
""",
    )
    code_legal = dialogues.ticket_code(legal_sent)

    staff = StaffDriver(runtime)
    officer = StaffDriver(runtime, CONFIDENTIAL_OFFICER, "Ông Hải")
    for code in (code_web, code_tg):
        await staff.say(f"/nhan {code}")
        await staff.say(f"/xem {code}")
        await staff.say(f"/xem {code}", private=True)
        await staff.say(f"/hoithem {code} Anh/chị cho biết thêm địa điểm?")
    await officer.say(f"/xem {code_legal}", private=True)
    await officer.say(f"/hoithem {code_legal} Đề nghị cung cấp thêm chứng cứ")
    await telegram.say(f"Ngõ 3 thôn Đông, ai cần thì gọi {PHONE} hoặc hỏi {NAME}")
    await legal.say(f"Tôi có biên lai, liên hệ {PHONE}")
    await web.say("Số nhà 15, ngay đầu ngõ")
    for code in (code_web, code_tg):
        await staff.say(f"/traloi {code} Đã cử người đến xử lý.")
        await staff.say(f"/xem {code}")
    await staff.say("/viec")
    await staff.say("/quahan")
    await run_transcript(telegram, f"> /tracuu {code_tg}\n< Đã cử người đến xử lý")
    await run_transcript(web, f"> /tracuu {code_web} {PHONE}\n< Trạng thái")
    await staff.say(f"/lienhe {code_tg}", private=True)  # the designated disclosure
    await officer.say(f"/lienhe {code_legal}", private=True)

    async with runtime.db.transaction() as session:
        await session.execute(
            update(OutboxItem)
            .where(OutboxItem.kind == "complaint_update", OutboxItem.chat_id == "8800")
            .values(status=outbox.UNDELIVERABLE)
        )
        await session.execute(update(Ticket).values(due_at=local(2026, 1, 5)))
    sweeps = Sweeps(
        db=runtime.db,
        communes=runtime.communes,
        messages=MESSAGES,
        uploads=runtime.settings.data_dir / "uploads",
        media={"telegram": Fetcher()},
        clock=Clock(utcnow()),
    )
    await sweeps.alerts()
    await sweeps.photos()
    await sweeps.undelivered()
    for hour in range(7, 18):
        sweeps.clock = Clock(local(2026, 3, 10, hour))
        await sweeps.deadlines()
    # Before the retention sweep the disclosure is in the outbox: the canary is alive.
    async with runtime.db.read() as session:
        revealed = (
            await session.execute(select(OutboxItem).where(OutboxItem.kind == "contact_reveal"))
        ).scalars()
        assert all(leaks(json.dumps(r.reply, ensure_ascii=False)) for r in revealed)
    await outbox.take_for_pull(runtime.db, "telegram", "501")  # delivered...
    await outbox.take_for_pull(runtime.db, "telegram", CONFIDENTIAL_OFFICER)
    sweeps.clock = Clock(utcnow())
    await sweeps.retention()  # ...and scrubbed


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_no_name_or_phone_in_any_sink(
    desk: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = desk
    caplog.set_level(logging.DEBUG, logger="bot")
    caplog.set_level(logging.DEBUG, logger="complaints")
    caplog.set_level(logging.DEBUG, logger="handlers")
    caplog.set_level(logging.INFO)
    await _everything_happens(runtime)

    async with runtime.db.read() as session:
        rows = list((await session.execute(select(OutboxItem).order_by(OutboxItem.id))).scalars())
        conversations = list((await session.execute(select(Conversation))).scalars())
        tickets = list((await session.execute(select(Ticket))).scalars())
    assert len(rows) > 40 and {"staff_alert", "complaint_update", "reply"} <= {r.kind for r in rows}
    for row in rows:
        assert not leaks(json.dumps(row.reply, ensure_ascii=False)), (row.kind, row.reply)
    for conv in conversations:
        assert not leaks(json.dumps(conv.data, ensure_ascii=False))
    logged = "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    assert caplog.records and not leaks(logged), leaks(logged)

    # The canary is really in the store: the sinks above are clean by design, not by luck.
    assert sum(1 for t in tickets if t.contact_phone == PHONE) == 3
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    async with runtime.db.read() as session:
        masked = await export.ticket_rows(
            session, commune.id, local(2000, 1, 1), local(2100, 1, 1), now=utcnow()
        )
        revealed = await export.ticket_rows(
            session,
            commune.id,
            local(2000, 1, 1),
            local(2100, 1, 1),
            reveal_contacts=True,
            now=utcnow(),
        )
    csv_text = export.to_csv(masked).decode("utf-8-sig")
    assert not leaks(csv_text), leaks(csv_text)
    sheet = load_workbook(io.BytesIO(export.to_xlsx(masked))).active
    xlsx_text = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert not leaks(xlsx_text)
    assert "0987***321" in csv_text
    revealed_csv = export.to_csv(revealed).decode("utf-8-sig")
    assert PHONE in revealed_csv and NAME in revealed_csv
    # ...except for the denunciation, whose identity no export shows.
    legal_rows = [r for r in revealed.rows if r[2] == "Khiếu nại, tố cáo"]
    assert legal_rows and not leaks(" ".join(str(v) for v in legal_rows[0]))
