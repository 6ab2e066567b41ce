"""One answer per invitation, bursts from a counter QR, and the hash chain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from bot.app import Runtime
from surveys import chain, service, tokens
from surveys.instrument import default_book
from surveys.models import BURST, LogEntry, Response
from tests.surveys.helpers import responses, visit

pytestmark = pytest.mark.db

NOW = datetime(2026, 7, 15, 3, 0, tzinfo=UTC)
INSTRUMENT = default_book().latest("sipas-2026")
FIVES = {q.element: 5 for q in INSTRUMENT.questions}


async def _submit(
    runtime: Runtime, invitation_id: int, at: datetime = NOW, **scores: int
) -> Response:
    async with runtime.db.transaction() as session:
        return await service.submit(
            session,
            invitation_id=invitation_id,
            instrument=INSTRUMENT,
            answers={**FIVES, **scores},
            comment=None,
            now=at,
            options=service.SurveySettings(),
        )


async def test_an_invitation_takes_one_answer(runtime: Runtime) -> None:
    inv, _ = await visit(runtime, NOW)
    await _submit(runtime, inv.id)
    with pytest.raises(service.Refusal) as refused:
        await _submit(runtime, inv.id, overall=1)
    assert refused.value.reason == "used"
    assert len(await responses(runtime)) == 1


async def test_the_receipt_is_unique_in_the_database(runtime: Runtime) -> None:
    inv, _ = await visit(runtime, NOW)
    first = await _submit(runtime, inv.id)
    duplicate = Response(
        commune_id=first.commune_id,
        instrument=first.instrument,
        answered_at=NOW,
        receipt=first.receipt,
    )
    with pytest.raises(IntegrityError):
        async with runtime.db.transaction() as session:
            session.add(duplicate)


async def test_a_token_signed_for_another_commune_or_altered_is_invalid() -> None:
    token = tokens.make_token("secret", 1, 42, NOW)
    assert tokens.read_token("secret", 1, token).invitation_id == 42
    for secret, commune, candidate in (
        ("secret", 2, token),
        ("other", 1, token),
        ("secret", 1, token.replace("dg_16_", "dg_17_")),
    ):
        with pytest.raises(tokens.TokenError):
            tokens.read_token(secret, commune, candidate)
    assert len(token) <= 64 and tokens.looks_like_token(token)


async def test_bursts_from_one_counter_qr_are_flagged(runtime: Runtime) -> None:
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    async with runtime.db.transaction() as session:
        counter = await service.counter_invitation(
            session,
            commune_id=commune.id,
            counter="Quầy 3",
            now=NOW,
            options=service.SurveySettings(),
        )
    for minute in (0, 30, 60):  # spread out: fine
        await _submit(runtime, counter.id, NOW + timedelta(minutes=minute))
    for second in range(0, 250, 50):  # five within four minutes: a burst
        await _submit(runtime, counter.id, NOW + timedelta(hours=2, seconds=second))
    flags = [r.flag for r in await responses(runtime)]
    assert flags[:3] == [None, None, None]
    assert flags[3:] == [BURST] * 5
    assert all(r.evidence == "counter" for r in await responses(runtime))


async def test_verify_finds_the_first_broken_link(runtime: Runtime) -> None:
    ids = []
    for _ in range(4):
        inv, _ = await visit(runtime, NOW)
        ids.append((await _submit(runtime, inv.id)).id)
    async with runtime.db.read() as session:
        result = await chain.verify(session)
    assert result.ok and result.checked == 4

    async with runtime.db.transaction() as session:
        await session.execute(update(Response).where(Response.id == ids[2]).values(overall=1))
    async with runtime.db.read() as session:
        result = await chain.verify(session)
    [problem] = result.breaks
    assert (problem.position, problem.response_id) == (3, ids[2])
    assert "changed" in problem.reason

    async with runtime.db.transaction() as session:
        await session.execute(update(Response).where(Response.id == ids[2]).values(overall=5))
        await session.execute(delete(Response).where(Response.id == ids[1]))
    async with runtime.db.read() as session:
        [problem] = (await chain.verify(session)).breaks
    assert (problem.position, problem.reason) == (2, "the answer was deleted")


async def test_verify_notices_a_log_cut_short(runtime: Runtime) -> None:
    for _ in range(3):
        inv, _ = await visit(runtime, NOW)
        await _submit(runtime, inv.id)
    async with runtime.db.transaction() as session:
        await session.execute(delete(LogEntry).where(LogEntry.position == 3))
    async with runtime.db.read() as session:
        [problem] = (await chain.verify(session)).breaks
    assert problem.reason == "the log was cut short"


async def test_an_edited_published_questionnaire_is_refused(runtime: Runtime) -> None:
    from dataclasses import replace

    async with runtime.db.transaction() as session:
        await service.ensure_instrument(session, INSTRUMENT)  # already stored at start-up
        edited = replace(INSTRUMENT, title="Phiếu sửa lén")
        with pytest.raises(service.InstrumentChanged):
            await service.ensure_instrument(session, edited)


async def test_the_expiry_sweep_keeps_complete_ratings_and_forgets_the_rest(
    runtime: Runtime,
) -> None:
    from surveys import push
    from surveys.service import Resident

    complete, _ = await visit(runtime, NOW, resident=Resident("web", "someone-123", "someone-123"))
    partial, _ = await visit(runtime, NOW)
    async with runtime.db.transaction() as session:
        progress: dict[str, object] = {**FIVES, "_instrument": INSTRUMENT.key}
        await service.save_progress(session, complete.id, progress)
        await service.save_progress(session, partial.id, {"overall": 4})
    async with runtime.db.transaction() as session:
        report = await push.sweep(
            session,
            now=NOW + timedelta(days=8),
            profile=runtime.communes.by_id,
            render=lambda *_: pytest.fail("nothing to push"),
        )
    assert (report.recorded, report.expired) == (1, 1)
    [kept] = await responses(runtime)
    assert kept.overall == 5 and kept.comment is None
    from tests.surveys.helpers import invitation

    gone = await invitation(runtime, partial.id)
    assert gone.status == "expired" and gone.progress is None and gone.nonce is None
    used = await invitation(runtime, complete.id)
    assert used.push_user_id is None


def test_typed_codes_are_found_but_words_are_not() -> None:
    assert tokens.find_code("mã của tôi là dg-7k3m-2q9x ạ") == "7K3M2Q9X"
    assert tokens.find_code("DG 7K3M 2Q9X") == "7K3M2Q9X"
    assert tokens.find_code("DG-7K3M-2QOX") == "7K3M2Q0X"  # O typed for zero
    assert tokens.find_code("7k3m2q9x", bare=True) == "7K3M2Q9X"
    for words in ("dg khai sinh", "đăng ký khai sinh", "7k3m2q9x", "giấy 1234 5678"):
        assert tokens.find_code(words) is None, words
    assert tokens.find_code("khai sinh", bare=True) is None
