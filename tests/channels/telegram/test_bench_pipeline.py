"""``motcua bench pipeline`` runs end to end and reports every figure it promises."""

from __future__ import annotations

import asyncio
import gc
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from bot import bench_pipeline, cli

ROOT = Path(__file__).resolve().parents[3]
KEYS = {
    "updates_per_s",
    "ack_p50_ms",
    "ack_p99_ms",
    "reply_p50_ms",
    "reply_p99_ms",
    "lost",
    "answered_late",
    "settled_s",
    "duplicated",
    "ceiling_updates_per_s",
    "server_cpu_ms_per_update",
    "rest_cpu_ms_per_update",
    "database",
}


async def bench(*args: str) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "bench", "pipeline", *args, "--json"),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 240)
    assert process.returncode == 0, err.decode()[-3000:]
    figures: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    assert figures.keys() >= KEYS
    return figures


@pytest.mark.slow
async def test_a_short_run_loses_and_duplicates_nothing() -> None:
    figures = await bench("--residents", "5", "--duration", "2", "--warmup", "0.5")
    assert figures["database"] == "sqlite"
    assert figures["lost"] == 0 and figures["duplicated"] == 0
    assert figures["updates"] > 0 and figures["replies"] == figures["updates"]
    assert figures["answered_late"] == 0
    assert figures["ceiling_updates_per_s"] > figures["updates_per_s"] > 0


@pytest.mark.slow
async def test_the_province_profile_on_two_instances_loses_and_duplicates_nothing(
    postgres_url: str,
) -> None:
    """Communes with their own Telegram and Zalo bots, most residents on Zalo, every
    update sent to the next of two server processes sharing one PostgreSQL database,
    each handing the handling to a worker process."""
    figures = await bench(
        *("--profile", "province", "--database-url", postgres_url, "--no-ceiling"),
        *("--communes", "4", "--residents", "40", "--rate", "40"),
        *("--duration", "2", "--warmup", "0.5"),
    )
    assert (figures["database"], figures["instances"], figures["communes"]) == ("postgresql", 2, 4)
    assert figures["workers"] == 1
    assert figures["residents_on_zalo"] == 28
    assert figures["lost"] == 0 and figures["duplicated"] == 0
    assert figures["extra_messages"] == 0 and figures["inbox_not_done"] == 0
    assert figures["updates"] > 0 and figures["replies"] == figures["updates"]
    assert figures["server_peak_rss_mb"] > 0


def test_several_instances_need_postgresql(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["bench", "pipeline", "--instances", "2"]) == 2
    assert "give a PostgreSQL URL" in capsys.readouterr().err


def test_the_load_generator_does_not_stop_to_collect_garbage_while_measuring() -> None:
    # Its full collections stopped it for up to 0.6 s, counted as acknowledgement latency.
    assert gc.isenabled()
    with bench_pipeline.without_collector_pauses():
        assert not gc.isenabled()
        assert gc.get_freeze_count() > 0  # what existed before is never scanned
    assert gc.isenabled() and gc.get_freeze_count() == 0
