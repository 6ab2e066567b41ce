"""Residents' rights over their personal data (Law 91/2025/QH15, Decree 356/2025/NĐ-CP).

- ``config``: per-commune retention periods and request deadlines (``settings["privacy"]``).
- ``notices``: each commune's privacy notice is published as a numbered version, so a
  consent record can always say exactly which text the resident agreed to.
- ``holdings``: what the bot holds about one resident on one channel (``/dulieucuatoi``).
- ``requests``: correction and deletion requests, tracked against their legal deadlines,
  and the erasure a completed deletion performs.
- ``retention``: the retention schedule, per kind of data, with a dry run.
- ``sweeps`` and ``plugin``: the daily retention run and the overdue-request warnings.

The conversation lives in ``handlers/privacy.py``; the command line in ``bot/cli/privacy.py``.
"""
