"""The complaint sweeps: reminders and escalations only in working hours and only once,
photos fetched and cleaned, drafts erased, failed relays reported, contacts expired."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

from PIL import Image
from sqlalchemy import select, update

from bot import outbox
from bot.app import Runtime
from bot.db.base import utcnow
from bot.db.models import Conversation, OutboxItem
from bot.media import MediaGone
from complaints import service
from complaints.calendar import WorkingCalendar
from complaints.models import Ticket, TicketPhoto
from complaints.privacy import NOTICE_VERSION
from complaints.sweeps import Sweeps
from handlers.staff import MESSAGES
from tests.complaints.conftest import configure
from tests.complaints.drivers import STAFF_GROUP, Clock, IncomingDriver, StaffDriver, local
from tests.dialogue import run_transcript
from tests.dialogues import complaints as dialogues


class FakeFetcher:
    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.calls: list[tuple[str, str, str]] = []

    async def fetch(self, commune_slug: str, channel: str, file_ref: str) -> bytes:
        self.calls.append((commune_slug, channel, file_ref))
        if file_ref not in self.files:
            raise MediaGone("no such file")
        return self.files[file_ref]


def sweeps(runtime: Runtime, clock: Clock, **kwargs: object) -> Sweeps:
    return Sweeps(
        db=runtime.db,
        communes=runtime.communes,
        messages=MESSAGES,
        uploads=runtime.settings.data_dir / "uploads",
        clock=clock,
        **kwargs,  # type: ignore[arg-type]
    )


async def _ticket(runtime: Runtime, at: datetime, **kwargs: object) -> str:
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    async with runtime.db.transaction() as session:
        fields: dict[str, object] = {
            "category": "infrastructure",
            "text": "Cống bị tắc trước cổng chợ",
            "channel": "telegram",
            "user_id": "9200",
            "chat_id": "9200",
        }
        fields.update(kwargs)
        ticket = await service.open_ticket(
            session,
            commune_id=commune.id,
            now=at,
            **fields,  # type: ignore[arg-type]
        )
        ticket.alerted_at = at
        return ticket.code


async def _staff_rows(runtime: Runtime) -> list[OutboxItem]:
    async with runtime.db.read() as session:
        return list(
            (
                await session.execute(
                    select(OutboxItem)
                    .where(OutboxItem.kind == "staff_alert")
                    .order_by(OutboxItem.id)
                )
            ).scalars()
        )


async def test_reminders_and_escalations_happen_once_and_only_in_working_hours(
    runtime: Runtime,
) -> None:
    await configure(runtime, units={"one_stop": {"head": "telegram:777"}})
    code = await _ticket(runtime, local(2026, 3, 2, 9))  # due Mon 16 March 17:00
    async with runtime.db.transaction() as session:
        ticket = (await session.execute(select(Ticket).where(Ticket.code == code))).scalar_one()
        rules = await service.rules_for(session, ticket.commune_id)
        await service.take(
            session,
            ticket,
            staff="telegram:501",
            label="Chị Lan",
            now=local(2026, 3, 2, 10),
            rules=rules,
        )
    clock = Clock(local(2026, 3, 2, 0))
    sweep = sweeps(runtime, clock)
    calendar = WorkingCalendar()
    # Every 30 minutes for three weeks, day and night.
    while clock.now < local(2026, 3, 23, 0):
        await sweep.deadlines()
        clock.advance(minutes=30)
    rows = await _staff_rows(runtime)
    assert rows, "nothing was sent"
    for row in rows:
        assert calendar.is_working_time(row.created_at), row.created_at
    reminders = [r for r in rows if "sắp đến hạn" in r.reply["text"]]
    escalations = [r for r in rows if "quá hạn" in r.reply["text"]]
    # One reminder, to the assignee's private chat, once a working day is left: the
    # first moment in working hours is Monday 16 March 07:30 (the weekend is skipped).
    assert [(r.chat_id, r.created_at) for r in reminders] == [("501", local(2026, 3, 16, 7, 30))]
    # Overdue at 17:00 Monday; told the next working morning, to the group and the head.
    assert sorted(r.chat_id for r in escalations) == sorted([STAFF_GROUP, "777"])
    assert {r.created_at for r in escalations} == {local(2026, 3, 17, 7, 30)}
    assert len(rows) == 3


async def test_nobody_taking_a_ticket_is_flagged_before_the_acknowledgement_deadline(
    runtime: Runtime,
) -> None:
    await _ticket(runtime, local(2026, 3, 2, 9))  # acknowledge by Tue 3 March 17:00
    clock = Clock(local(2026, 3, 3, 14, 59))
    sweep = sweeps(runtime, clock)
    assert await sweep.deadlines() == 0
    clock.now = local(2026, 3, 3, 15)
    assert await sweep.deadlines() == 1
    assert await sweep.deadlines() == 0
    rows = await _staff_rows(runtime)
    assert "chưa có ai nhận" in rows[-1].reply["text"] and rows[-1].chat_id == STAFF_GROUP


async def test_a_ticket_waiting_for_the_resident_is_never_reminded(runtime: Runtime) -> None:
    code = await _ticket(runtime, local(2026, 3, 2, 9))
    async with runtime.db.transaction() as session:
        ticket = (await session.execute(select(Ticket).where(Ticket.code == code))).scalar_one()
        rules = await service.rules_for(session, ticket.commune_id)
        await service.ask_more(
            session,
            ticket,
            staff="telegram:501",
            label=None,
            text="?",
            now=local(2026, 3, 2, 10),
            rules=rules,
        )
    clock = Clock(local(2026, 4, 1, 9))
    assert await sweeps(runtime, clock).deadlines() == 0


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (640, 480), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "N", 2: (21.0, 51.0, 13.0), 3: "E", 4: (106.0, 45.0, 41.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (300, 200), (0, 0, 255, 128)).save(out, format="PNG")
    return out.getvalue()


async def test_photos_are_fetched_checked_and_stored_without_metadata(runtime: Runtime) -> None:
    resident = IncomingDriver(runtime, "9300")
    code = await dialogues.photo_and_location(resident)
    await StaffDriver(runtime).group_messages()
    original = _jpeg_with_gps()
    assert b"PhoneMaker" in original
    fetcher = FakeFetcher({"photo-ref-1": original, "photo-ref-2": b"%PDF-1.4 not an image"})
    clock = Clock(utcnow())
    sweep = sweeps(runtime, clock, media={"telegram": fetcher})
    assert await sweep.photos() == 1
    assert await sweep.photos() == 0  # nothing left to do
    assert fetcher.calls == [
        ("default", "telegram", "photo-ref-1"),
        ("default", "telegram", "photo-ref-2"),
    ]
    async with runtime.db.read() as session:
        photos = list(
            (await session.execute(select(TicketPhoto).order_by(TicketPhoto.id))).scalars()
        )
    stored, rejected = photos
    assert stored.status == "stored" and rejected.status == "rejected"
    assert "not a JPEG" in (rejected.error or "")
    path = Path(stored.path or "")
    assert path.parent == runtime.settings.data_dir / "uploads" / "default"
    assert path.name.startswith(code)
    data = path.read_bytes()  # noqa: ASYNC240 - a test reading a small file
    assert data.startswith(b"\xff\xd8\xff")
    assert b"PhoneMaker" not in data and b"Exif" not in data
    with Image.open(path) as image:
        assert image.size == (640, 480)
        assert not image.getexif()
    group = await StaffDriver(runtime).group_messages()
    assert [r.photo for r in group] == [str(path)]
    assert code in group[0].text


async def test_photo_checks_refuse_bombs_and_accept_png_and_webp() -> None:
    from complaints import photos

    png = photos.clean(_png())
    assert png.source_type == "image/png" and png.content_type == "image/jpeg"
    out = io.BytesIO()
    Image.new("RGB", (50, 40)).save(out, format="WEBP")
    assert photos.clean(out.getvalue()).source_type == "image/webp"
    big = io.BytesIO()
    Image.new("1", (9000, 9000)).save(big, format="PNG")  # small file, 81 Mpx
    assert len(big.getvalue()) < 2_000_000
    try:
        photos.clean(big.getvalue())
    except photos.PhotoRejected as exc:
        assert "too large" in str(exc)
    else:
        raise AssertionError("a decompression bomb was accepted")
    try:
        photos.clean(b"\xff\xd8\xff" + b"\x00" * 100)
    except photos.PhotoRejected as exc:
        assert "unreadable" in str(exc)
    else:
        raise AssertionError("a broken JPEG was accepted")


async def test_photos_wait_for_a_channel_that_can_fetch_them(runtime: Runtime) -> None:
    await dialogues.photo_and_location(IncomingDriver(runtime, "9301"))
    clock = Clock(utcnow())
    assert await sweeps(runtime, clock).photos() == 0
    async with runtime.db.read() as session:
        rows = list((await session.execute(select(TicketPhoto))).scalars())
    assert {r.status for r in rows} == {"pending"}
    assert all(r.next_attempt_at >= clock.now + timedelta(minutes=59) for r in rows)


async def test_expired_drafts_are_erased_with_their_contact_details(runtime: Runtime) -> None:
    resident = IncomingDriver(runtime, "9400")
    await run_transcript(
        resident,
        f"""
> /phananh
> [Việc khác]
> Nội dung phản ánh chưa gửi xong
> [Tiếp tục]
> [Để lại họ tên]
> [Tôi đồng ý]
> {dialogues.CANARY_NAME}
> {dialogues.CANARY_PHONE}
< Bạn xem lại trước khi gửi
""",
    )
    async with runtime.db.read() as session:
        row = (await session.execute(select(Conversation))).scalars().all()
    draft = next(r for r in row if r.user_id == "9400")
    assert draft.data["phone"] == dialogues.CANARY_PHONE
    clock = Clock(draft.updated_at + timedelta(hours=71))
    sweep = sweeps(runtime, clock)
    assert await sweep.drafts() == 0
    clock.advance(hours=2)
    assert await sweep.drafts() == 1
    async with runtime.db.read() as session:
        after = await session.get(Conversation, draft.id)
    assert after is not None and after.state is None and after.data == {}


async def test_an_answer_that_cannot_be_delivered_is_reported_to_staff_once(
    runtime: Runtime,
) -> None:
    resident = IncomingDriver(runtime, "9500")
    staff = StaffDriver(runtime)
    code = await dialogues.file_anonymous_ticket(resident)
    await staff.group_messages()
    await staff.say(f"/traloi {code} Đã xử lý xong.")
    async with runtime.db.transaction() as session:
        await session.execute(
            update(OutboxItem)
            .where(OutboxItem.kind == "complaint_update")
            .values(status=outbox.UNDELIVERABLE, last_error="outside the reply window")
        )
    sweep = sweeps(runtime, Clock(utcnow()))
    assert await sweep.undelivered() == 1
    assert await sweep.undelivered() == 0
    warnings = await staff.group_messages()
    assert len(warnings) == 1 and code in warnings[0].text
    assert "Không gửi được" in warnings[0].text


async def test_tickets_opened_elsewhere_are_alerted_by_the_sweep(runtime: Runtime) -> None:
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    async with runtime.db.transaction() as session:
        await service.open_ticket(
            session,
            commune_id=commune.id,
            category="procedure",
            text="Chấm 1 sao: phải đi lại ba lần mới nộp được hồ sơ.",
            channel="web",
            user_id="survey-1",
            chat_id="survey-1",
            source="survey",
            contact_consent=True,
            now=local(2026, 3, 10),
        )
    sweep = sweeps(runtime, Clock(local(2026, 3, 10, 9)))
    assert await sweep.alerts() == 1
    assert await sweep.alerts() == 0
    alerts = await StaffDriver(runtime).group_messages()
    assert len(alerts) == 1 and "từ phiếu đánh giá" in alerts[0].text


async def test_contacts_of_long_closed_tickets_are_erased(runtime: Runtime) -> None:
    code = await _ticket(
        runtime,
        local(2025, 1, 6, 9),
        contact_consent=True,
        contact_name="Nguyễn Văn An",
        contact_phone="0912345678",
        consent_version=NOTICE_VERSION,
    )
    async with runtime.db.transaction() as session:
        ticket = (await session.execute(select(Ticket).where(Ticket.code == code))).scalar_one()
        rules = await service.rules_for(session, ticket.commune_id)
        await service.close(
            session,
            ticket,
            staff="telegram:501",
            label=None,
            note=None,
            now=local(2025, 1, 10),
            rules=rules,
        )
    sweep = sweeps(runtime, Clock(local(2025, 12, 1)))
    assert await sweep.retention() == 0  # not a year yet
    sweep.clock = Clock(local(2026, 1, 11))
    assert await sweep.retention() == 1
    async with runtime.db.read() as session:
        ticket = (await session.execute(select(Ticket).where(Ticket.code == code))).scalar_one()
    assert ticket.contact_name is None and ticket.contact_phone is None
    assert ticket.contact_erased_at == local(2026, 1, 11)
