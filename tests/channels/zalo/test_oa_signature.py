"""The X-ZEvent-Signature formula, pinned by a known answer, and its checks."""

from __future__ import annotations

from bot.channels.zalo_oa.signature import signature, verify

APP_ID = "3512345678901234567"
SECRET = "oa-secret-key-for-signatures"
BODY = (
    '{"app_id":"3512345678901234567","event_name":"user_send_text","timestamp":"1763870041636",'
    '"sender":{"id":"8309393969855402319"},"message":{"text":"chào","msg_id":"m1"}}'
).encode()
# Assumption (verify): mac = sha256(app_id + raw body + timestamp + OA secret key), hex.
# Computed outside Python with:
#   printf '%s' "$APP_ID$BODY$TIMESTAMP$SECRET" | sha256sum
KNOWN_MAC = "729eeaaf941be112dace545084b2a3400de7cfb83a6931daa59529215709907c"


def test_the_formula_gives_the_known_answer() -> None:
    assert signature(APP_ID, BODY, "1763870041636", SECRET) == KNOWN_MAC


def test_a_correct_signature_passes_with_or_without_the_mac_prefix() -> None:
    assert verify(BODY, f"mac={KNOWN_MAC}", app_id=APP_ID, secret_key=SECRET)
    assert verify(BODY, KNOWN_MAC.upper(), app_id=APP_ID, secret_key=SECRET)


def test_anything_else_fails() -> None:
    assert not verify(BODY, None, app_id=APP_ID, secret_key=SECRET)
    assert not verify(BODY, "mac=", app_id=APP_ID, secret_key=SECRET)
    assert not verify(BODY, f"mac={KNOWN_MAC}", app_id=APP_ID, secret_key="another-secret")
    assert not verify(BODY, f"mac={KNOWN_MAC}", app_id="999", secret_key=SECRET)
    assert not verify(
        BODY.replace("chào".encode(), b"chao"), f"mac={KNOWN_MAC}", app_id=APP_ID, secret_key=SECRET
    )
    assert not verify(b"not json", f"mac={KNOWN_MAC}", app_id=APP_ID, secret_key=SECRET)
    assert not verify(b'["a list"]', f"mac={KNOWN_MAC}", app_id=APP_ID, secret_key=SECRET)


def test_the_timestamp_is_taken_from_the_body() -> None:
    moved = BODY.replace(b"1763870041636", b"1763870041637")
    assert not verify(moved, f"mac={KNOWN_MAC}", app_id=APP_ID, secret_key=SECRET)
    remac = signature(APP_ID, moved, "1763870041637", SECRET)
    assert verify(moved, f"mac={remac}", app_id=APP_ID, secret_key=SECRET)


def test_an_event_of_another_app_fails_even_with_its_own_valid_mac() -> None:
    other = BODY.replace(APP_ID.encode(), b"1111111111111111111")
    mac = signature("1111111111111111111", other, "1763870041636", SECRET)
    assert not verify(other, f"mac={mac}", app_id=APP_ID, secret_key=SECRET)
