"""Conversation handlers. ``build_router`` is the one place that decides priority:
escapes first (/huy, /trogiup), then feature routers, then free text, then fallbacks.

Handlers return replies; they never send and never import a channel.
"""

from __future__ import annotations

from bot.router import Router


def build_router() -> Router:
    from handlers import complaints, feedback, menu, privacy, procedures, staff, surveys

    root = Router("root")
    for feature in (
        staff.router,  # the staff group and staff commands: never a resident's menu there
        privacy.staff_router,  # staff commands for privacy requests (/yeucau, /xongyc...)
        menu.escapes,
        surveys.router,  # a questionnaire in progress gets its answers first; /start <token>
        complaints.flow,  # a complaint being written or a follow-up: before the matcher
        privacy.flow,  # typing a corrected name or phone
        staff.group_guard,  # the rest of the staff group's traffic is not for the bot
        menu.router,
        privacy.router,  # /baomat, /dulieucuatoi, correction and deletion requests
        feedback.router,
        complaints.router,  # /tracuu, typed ticket codes, ticket buttons
        procedures.router,
        menu.fallbacks,
    ):
        root.include(feature)
    return root
