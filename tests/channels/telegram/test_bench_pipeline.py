"""``motcua bench pipeline`` runs end to end and reports every figure it promises."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
KEYS = {
    "updates_per_s",
    "ack_p50_ms",
    "ack_p99_ms",
    "reply_p50_ms",
    "reply_p99_ms",
    "lost",
    "duplicated",
    "ceiling_updates_per_s",
    "database",
}


@pytest.mark.slow
async def test_a_short_run_loses_and_duplicates_nothing() -> None:
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "bench", "pipeline"),
        *("--residents", "5", "--duration", "2", "--warmup", "0.5", "--json"),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 240)
    assert process.returncode == 0, err.decode()[-3000:]
    figures = json.loads(out.decode().strip().splitlines()[-1])
    assert figures.keys() >= KEYS
    assert figures["database"] == "sqlite"
    assert figures["lost"] == 0 and figures["duplicated"] == 0
    assert figures["updates"] > 0 and figures["replies"] == figures["updates"]
    assert figures["ceiling_updates_per_s"] > figures["updates_per_s"] > 0
