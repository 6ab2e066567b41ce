"""A survey invitation's typed code, on both Zalo adapters end to end (Zalo has no deep
links): the resident picks «Đánh giá sự phục vụ» in the menu and types the code printed
on the receipt, the way people type on a phone."""

from __future__ import annotations

from bot.db.base import utcnow
from surveys import tokens
from tests.channels.zalo.conftest import StartZalo, ZaloResident
from tests.dialogue import run_transcript
from tests.dialogues.surveys import ALL_FIVES
from tests.surveys.helpers import responses, visit


async def test_a_typed_code_opens_the_questionnaire(
    start_zalo: StartZalo, resident: ZaloResident
) -> None:
    app = await start_zalo()
    runtime = app[0]
    invitation, _token = await visit(runtime, utcnow())
    typed = tokens.format_code(invitation.code).lower().replace("-", " ")
    await run_transcript(
        resident(app),
        f"""
        > /start
        > [Đánh giá sự phục vụ]
        < gõ mã đánh giá
        > {typed}
        < Mời bạn đánh giá sự phục vụ
        {ALL_FIVES}
        > Cán bộ hướng dẫn rất tận tình
        < Cảm ơn bạn đã đánh giá
        """,
    )
    [answer] = await responses(runtime)
    assert (answer.overall, answer.access, answer.result) == (5, 5, 4)
    assert answer.comment == "Cán bộ hướng dẫn rất tận tình"
