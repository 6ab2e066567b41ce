"""Deep links and their QR codes, used by survey invitations and complaint receipts."""

from __future__ import annotations

import pytest

from bot.channels.telegram import links


def test_a_deep_link_opens_the_bot_with_its_payload() -> None:
    assert (
        links.deep_link("motcua_anbinh_bot", "sv_7Hq2")
        == "https://t.me/motcua_anbinh_bot?start=sv_7Hq2"
    )
    assert links.deep_link("@motcua_anbinh_bot") == "https://t.me/motcua_anbinh_bot"
    assert links.deep_link("motcua_anbinh_bot", "g1", group=True).endswith("?startgroup=g1")


@pytest.mark.parametrize("payload", ["", "có dấu", "a b", "x" * 65, "a/b", "a+b="])
def test_a_payload_telegram_would_drop_is_refused(payload: str) -> None:
    assert not links.is_payload(payload)
    with pytest.raises(ValueError):
        links.deep_link("motcua_anbinh_bot", payload)


def test_payload_parts_are_joined_and_checked() -> None:
    assert links.make_payload("sv", "a1B2-c") == "sv_a1B2-c"
    assert len(links.make_payload("x" * 64)) == 64
    with pytest.raises(ValueError):
        links.make_payload("pa", "mã số")


def test_opaque_bytes_round_trip_through_a_payload() -> None:
    token = bytes(range(48))
    payload = links.encode_bytes(token)
    assert links.is_payload(payload) and len(payload) == 64
    assert links.decode_bytes(payload) == token
    with pytest.raises(ValueError):
        links.encode_bytes(bytes(49))


def test_a_qr_code_is_made_for_the_link() -> None:
    link = links.deep_link("motcua_anbinh_bot", "sv_7Hq2")
    svg = links.qr_svg(link, title=link)
    assert svg.startswith("<svg") and "sv_7Hq2" in svg  # the title carries the link
    assert links.qr_png(link).startswith(b"\x89PNG")


def test_a_username_that_cannot_be_a_bot_is_refused() -> None:
    with pytest.raises(ValueError):
        links.deep_link("t.me/evil?x=", "a")
