"""The feature plugins production runs beside the channel adapters.

Channel tests build runtimes from their adapter's plugin alone (to give it test
options); dialogue tests add these, so surveys (their services) and complaints (their
sweeps) work on the channel as they do in production.
"""

from __future__ import annotations

from bot.config import Settings
from bot.plugins import Plugin
from complaints.plugin import plugin as complaints_plugin
from surveys.plugin import plugin as surveys_plugin


def feature_plugins(settings: Settings) -> list[Plugin]:
    return [surveys_plugin(settings), complaints_plugin(settings)]
