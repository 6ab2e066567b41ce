"""Telegram, through python-telegram-bot 22: its ``Update`` parses what arrives and its
``Bot`` sends, against a configurable Bot API root (``<root>/bot<token>/<method>``) so a
local Bot API server or the tests' fake can stand in.

Modules: ``parse`` (updates to ``Incoming``, pure), ``render`` (``Reply`` to Bot API
calls, pure), ``ratelimit`` and ``sender`` (sending through the outbox within Telegram's
flood limits), ``ingress`` (what the webhook and polling share: admit, store, hand over),
``webhook``, ``polling``, ``links`` (deep links and QR codes), ``commands``, ``plugin``.
"""

NAME = "telegram"
