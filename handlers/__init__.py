"""Conversation handlers. ``build_router`` is the one place that decides priority:
escapes first (/huy, /trogiup), then feature routers, then free text, then fallbacks.

Handlers return replies; they never send and never import a channel.
"""

from __future__ import annotations

from bot.router import Router


def build_router() -> Router:
    from handlers import feedback, menu, procedures, surveys

    root = Router("root")
    for feature in (
        menu.escapes,
        surveys.router,  # a questionnaire in progress gets its answers first; /start <token>
        menu.router,
        feedback.router,
        procedures.router,
        menu.fallbacks,
    ):
        root.include(feature)
    return root
