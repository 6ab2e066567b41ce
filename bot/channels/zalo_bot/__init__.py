"""Zalo Bot Platform: a Telegram-like HTTP API (``<root>/bot<token>/<method>``).

It has no buttons and no start payload, so choices go out as a numbered list and the
resident types the number (the core reads a typed number as the button press).
Platform facts we rely on are pinned by tests and marked "(verify)" where they come
from secondary sources.
"""

NAME = "zalo_bot"
