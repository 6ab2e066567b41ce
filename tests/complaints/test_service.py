"""The complaint services: codes, who may see a ticket, and the on-time rate replayed
from the event history."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import Runtime
from complaints import codes, service
from complaints.models import ANSWERED, IN_PROGRESS, WAITING, Ticket, TicketEvent, TicketPhoto
from complaints.privacy import NOTICE_VERSION
from tests.complaints.drivers import local

STAFF = "telegram:501"


def test_codes_are_random_readable_and_typed_loosely() -> None:
    drawn = [codes.new_code() for _ in range(5000)]
    # About a billion codes: two of 5,000 draws coincide about once in a hundred runs
    # (opening a ticket draws again then), three or more about once in four million.
    assert len(set(drawn)) >= 4998
    for code in drawn:
        assert code.startswith("PA-") and len(code) == 9
        assert not set(code[3:]) & set("01OI")
    for position in range(3, 9):  # every character of the alphabet turns up everywhere
        assert {code[position] for code in drawn} == set(codes.ALPHABET)
    assert codes.normalize("pa 7k3m2q") == "PA-7K3M2Q"
    assert codes.normalize("tra cứu PA-7K3M2Q giúp tôi") == "PA-7K3M2Q"
    assert codes.normalize("PA-7K3M2O") is None  # O is not in the alphabet
    assert codes.normalize("PA-7K3M2") is None


async def _commune_id(runtime: Runtime) -> int:
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    return commune.id


async def test_open_ticket_keeps_the_contract_the_surveys_feature_uses(runtime: Runtime) -> None:
    commune_id = await _commune_id(runtime)
    now = local(2026, 3, 10, 10)
    async with runtime.db.transaction() as session:
        ticket = await service.open_ticket(
            session,
            commune_id=commune_id,
            category="procedure",
            text="Người dân chấm 1 sao cho thủ tục khai sinh và muốn được liên hệ.",
            channel="web",
            user_id="survey-resident",
            chat_id="survey-resident",
            source="survey",
            procedure_code="1.001193",
            contact_consent=True,
            now=now,
        )
        code = ticket.code
        assert ticket.due_at == local(2026, 3, 24, 17)  # 10 working days
        assert ticket.ack_due_at == local(2026, 3, 11, 17)
        assert ticket.alerted_at is None  # the alerts sweep tells staff
    async with runtime.db.read() as session:
        row = (await session.execute(select(Ticket).where(Ticket.code == code))).scalar_one()
        events = await service.history(session, row.id)
    assert row.source == "survey" and row.contact_consent and not row.has_contact
    assert [e.kind for e in events] == ["received"]
    assert events[0].data["answer_days"] == 10


async def test_a_code_already_taken_is_drawn_again(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    commune_id = await _commune_id(runtime)
    draws = iter(["PA-AAAAAA", "PA-AAAAAA", "PA-AAAAAA", "PA-BBBBBB"])
    monkeypatch.setattr(codes, "new_code", lambda: next(draws))
    opened = []
    for resident in ("u1", "u2"):
        async with runtime.db.transaction() as session:
            ticket = await service.open_ticket(
                session,
                commune_id=commune_id,
                category="other",
                text="Đường làng bị ngập.",
                channel="web",
                user_id=resident,
                chat_id=resident,
                now=local(2026, 3, 10, 10),
            )
            opened.append(ticket.code)
    assert opened == ["PA-AAAAAA", "PA-BBBBBB"]


async def test_contact_details_need_recorded_consent(runtime: Runtime) -> None:
    commune_id = await _commune_id(runtime)
    async with runtime.db.transaction() as session:
        with pytest.raises(ValueError, match="consent"):
            await service.open_ticket(
                session,
                commune_id=commune_id,
                category="other",
                text="Nội dung",
                channel="web",
                user_id="u1",
                chat_id="u1",
                now=local(2026, 3, 10),
                contact_phone="0912345678",
            )
        with pytest.raises(ValueError, match="category"):
            await service.open_ticket(
                session,
                commune_id=commune_id,
                category="nonsense",
                text="Nội dung",
                channel="web",
                user_id="u1",
                chat_id="u1",
                now=local(2026, 3, 10),
            )


async def test_a_ticket_is_found_only_by_its_owner_or_with_its_contact_phone(
    runtime: Runtime,
) -> None:
    commune_id = await _commune_id(runtime)
    async with runtime.db.transaction() as session:
        ticket = await service.open_ticket(
            session,
            commune_id=commune_id,
            category="other",
            text="Nội dung phản ánh",
            channel="telegram",
            user_id="42",
            chat_id="42",
            contact_consent=True,
            contact_name="Nguyễn Văn An",
            contact_phone="0912345678",
            consent_version=NOTICE_VERSION,
            now=local(2026, 3, 10),
        )
        code = ticket.code
    async with runtime.db.read() as session:

        async def find(channel: str, user: str, phone: str | None = None) -> bool:
            found = await service.find_for_resident(
                session, commune_id, code.lower(), channel=channel, user_id=user, phone=phone
            )
            return found is not None

        assert await find("telegram", "42")
        assert not await find("telegram", "43")
        assert not await find("web", "42")  # same id on another channel is someone else
        assert await find("web", "someone", phone="0912345678")
        assert not await find("web", "someone", phone="0912345679")


async def test_staff_actions_move_the_status_and_the_deadline(runtime: Runtime) -> None:
    commune_id = await _commune_id(runtime)
    async with runtime.db.transaction() as session:
        rules = await service.rules_for(session, commune_id)
        ticket = await service.open_ticket(
            session,
            commune_id=commune_id,
            category="infrastructure",
            text="Đèn đường hỏng",
            channel="web",
            user_id="u2",
            chat_id="u2",
            now=local(2026, 3, 2, 9),
            photos=["ref-1"],
            rules=rules,
        )
        await service.take(
            session, ticket, staff=STAFF, label="Chị Lan", now=local(2026, 3, 2, 10), rules=rules
        )
        assert ticket.status == IN_PROGRESS and ticket.assignee == STAFF
        await service.ask_more(
            session,
            ticket,
            staff=STAFF,
            label="Chị Lan",
            text="Cột số mấy?",
            now=local(2026, 3, 4, 15),
            rules=rules,
        )
        assert ticket.status == WAITING and ticket.waiting_since == local(2026, 3, 4, 15)
        await service.resident_message(
            session,
            ticket,
            text="Cột 12",
            photos=["ref-2"],
            now=local(2026, 3, 9, 8, 30),
            rules=rules,
        )
        assert ticket.status == IN_PROGRESS and ticket.waiting_since is None
        assert ticket.due_at == local(2026, 3, 19, 10, 30)
        await service.reply(
            session,
            ticket,
            staff=STAFF,
            label="Chị Lan",
            text="Đã sửa",
            now=local(2026, 3, 18),
            rules=rules,
        )
        assert ticket.status == ANSWERED and ticket.first_response_at == local(2026, 3, 18)
        photos = (
            await session.execute(select(TicketPhoto).where(TicketPhoto.ticket_id == ticket.id))
        ).scalars()
        assert [p.file_ref for p in photos] == ["ref-1", "ref-2"]
        events = (
            await session.execute(
                select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id)
            )
        ).scalars()
        assert list(events) == [
            "received",
            "taken",
            "info_requested",
            "resident_message",
            "replied",
        ]


async def test_on_time_rate_is_replayed_from_the_history(runtime: Runtime) -> None:
    commune_id = await _commune_id(runtime)
    async with runtime.db.transaction() as session:
        rules = await service.rules_for(session, commune_id)

        async def ticket(category: str, at: object) -> Ticket:
            return await service.open_ticket(
                session,
                commune_id=commune_id,
                category=category,
                text="Phản ánh",
                channel="web",
                user_id="u3",
                chat_id="u3",
                now=at,  # type: ignore[arg-type]
                rules=rules,
            )

        # Procedure, answered in three days: on time.
        t1 = await ticket("procedure", local(2026, 3, 2, 9))
        await service.reply(
            session,
            t1,
            staff=STAFF,
            label=None,
            text="Đã xử lý",
            now=local(2026, 3, 5),
            rules=rules,
        )
        # Procedure, never answered, due 16 March: overdue.
        await ticket("procedure", local(2026, 3, 2, 9))
        # Staff attitude (5 working days, due 9 March); waiting for the resident from
        # 3 March 10:00 to 10 March 10:00 moves the deadline by 47.5 working hours (5 days)
        # to 16 March 17:00, so an answer on the 16th at 16:00 is on time.
        t3 = await ticket("attitude", local(2026, 3, 2, 9))
        await service.ask_more(
            session, t3, staff=STAFF, label=None, text="?", now=local(2026, 3, 3, 10), rules=rules
        )
        await service.resident_message(
            session, t3, text="Trả lời", now=local(2026, 3, 10, 10), rules=rules
        )
        await service.reply(
            session,
            t3,
            staff=STAFF,
            label=None,
            text="Xin lỗi",
            now=local(2026, 3, 16, 16),
            rules=rules,
        )
        # Received late in March, due in April: counts as received, not yet as due.
        await ticket("infrastructure", local(2026, 3, 25, 9))
        # Received in December, due in January, answered late.
        t5 = await ticket("infrastructure", local(2025, 12, 22, 9))
        await service.reply(
            session, t5, staff=STAFF, label=None, text="Muộn", now=local(2026, 1, 20), rules=rules
        )
    async with runtime.db.read() as session:
        figures = await service.on_time_rate(
            session, commune_id, local(2026, 1, 1, 0), local(2026, 4, 1, 0), now=local(2026, 4, 2)
        )
    overall = figures["overall"]
    assert overall == {
        "received": 4,
        "due": 4,
        "on_time": 2,
        "overdue": 2,
        "pending": 0,
        "rate": 0.5,
    }
    by = figures["by_category"]
    assert by["procedure"]["on_time"] == 1 and by["procedure"]["overdue"] == 1
    assert by["attitude"] == {
        "received": 1,
        "due": 1,
        "on_time": 1,
        "overdue": 0,
        "pending": 0,
        "rate": 1.0,
    }
    assert by["infrastructure"]["received"] == 1 and by["infrastructure"]["overdue"] == 1
    assert by["legal"]["rate"] is None
    # Seen in the middle of the period, the unanswered procedure ticket is not late yet.
    async with runtime.db.read() as session:
        early = await service.on_time_rate(
            session, commune_id, local(2026, 3, 1, 0), local(2026, 4, 1, 0), now=local(2026, 3, 12)
        )
    assert early["by_category"]["procedure"]["pending"] == 1
