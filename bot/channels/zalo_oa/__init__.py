"""Zalo Official Account (Open API v3): webhook events in, consultation messages out.

Replies are free only inside a window after the resident's last message (8 messages
within 48 hours, verify), access tokens expire after about 25 hours and refresh tokens
are single use. Platform facts we rely on are pinned by tests and marked "(verify)".
"""

NAME = "zalo_oa"
