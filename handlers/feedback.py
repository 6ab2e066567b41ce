"""Entry points for feedback (phản ánh) and rating (đánh giá) from the menu, commands
and detected intents. The complaints and surveys features take these over."""

from __future__ import annotations

from bot.context import Context
from bot.router import Router, any_of, button, command
from bot.types import Incoming, Reply
from handlers import menu

router = Router("feedback")


async def start_feedback(ctx: Context, msg: Incoming) -> Reply | list[Reply]:
    from handlers import complaints

    return await complaints.start_intake(ctx, msg)


async def start_rating(ctx: Context, msg: Incoming) -> Reply:
    from handlers import surveys

    return await surveys.start_rating(ctx, msg)


@router.route(any_of(command("phananh"), button(menu.FEEDBACK)), "feedback")
async def feedback_entry(ctx: Context, msg: Incoming) -> Reply | list[Reply]:
    return await start_feedback(ctx, msg)


@router.route(any_of(command("danhgia"), button(menu.RATE)), "rating")
async def rating_entry(ctx: Context, msg: Incoming) -> Reply:
    return await start_rating(ctx, msg)
