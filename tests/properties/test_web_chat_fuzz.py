"""POST /api/chat fed anything: never a 5xx, and a 200 always carries replies.

A page (or a script) can send any body with any content type. What the chat refuses is
a 400 with a message the page can show; too fast is a 429; everything else is answered.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.test_utils import TestClient
from hypothesis import example, given
from hypothesis import strategies as st

from bot.app import Runtime
from bot.web import create_app
from tests.properties.strategies import (
    NASTY_BODIES,
    any_text,
    examples,
    json_value,
    resident_text,
)

chat_body = st.fixed_dictionaries(
    {},
    optional={
        "session": st.one_of(st.from_regex(r"[A-Za-z0-9_-]{8,64}", fullmatch=True), json_value),
        "text": st.one_of(resident_text, json_value),
        "payload": st.one_of(any_text, json_value),
        "id": st.one_of(st.from_regex(r"[A-Za-z0-9_.:-]{1,100}", fullmatch=True), json_value),
        "commune": st.one_of(st.just("default"), json_value),
    },
).map(lambda body: json.dumps(body).encode())

Client = TestClient[Any, Any]


@examples(40)
@given(
    body=st.one_of(chat_body, chat_body, st.binary(max_size=100), st.sampled_from(NASTY_BODIES)),
    content_type=st.sampled_from(["application/json", "text/plain", "application/octet-stream"]),
)
@example(body=b"[" * 100_000, content_type="application/json")  # RecursionError in json
@example(body=b'{"session": "abcdefgh", "text": "x", "commune": [null]}', content_type="text/plain")
@example(body=b'{"session": "abcdefgh", "text": NaN}', content_type="application/json")
@example(body=b'{"session": "abcdefgh", "text": "a\\u0000\\ud800"}', content_type="text/plain")
async def test_the_chat_api_never_fails_on_bad_input(
    runtime: Runtime,
    aiohttp_client: Callable[[Any], Awaitable[Client]],
    body: bytes,
    content_type: str,
) -> None:
    client = await aiohttp_client(create_app(runtime, manage_runtime=False))
    response = await client.post("/api/chat", data=body, headers={"Content-Type": content_type})
    assert response.status in (200, 400, 404, 429), response.status
    answer = await response.json()
    if response.status == 200:
        assert answer["replies"]
    else:
        assert answer["error"]
