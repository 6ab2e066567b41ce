"""The SQLite write lock shared between processes (bot/db/file_lock.py).

Two ``FileWriteLock`` objects on one database hold separate file descriptions, so they
exclude each other exactly as two processes would."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.db.file_lock import FileWriteLock


async def test_a_second_writer_waits_until_the_first_is_done(tmp_path: Path) -> None:
    web, worker = FileWriteLock(tmp_path / "db"), FileWriteLock(tmp_path / "db")
    order: list[str] = []

    async def write(lock: FileWriteLock, name: str, hold: float) -> None:
        async with lock.held():
            order.append(f"{name} in")
            await asyncio.sleep(hold)
            order.append(f"{name} out")

    first = asyncio.create_task(write(worker, "worker", 0.05))
    await asyncio.sleep(0.01)
    await write(web, "web", 0)
    await first
    assert order == ["worker in", "worker out", "web in", "web out"]


async def test_an_urgent_writer_goes_before_a_normal_one_that_came_after_it(
    tmp_path: Path,
) -> None:
    """The worker writes back to back; a webhook waiting to store an update must get the
    lock at the worker's next gap, not whenever it happens to win a race."""
    worker, web = FileWriteLock(tmp_path / "db"), FileWriteLock(tmp_path / "db")
    order: list[str] = []
    holding = asyncio.Event()

    async def worker_writes(times: int) -> None:
        for n in range(times):
            async with worker.held():
                holding.set()
                order.append(f"worker {n}")
                await asyncio.sleep(0.02)

    busy = asyncio.create_task(worker_writes(5))
    await holding.wait()
    async with web.held(urgent=True):
        order.append("web")
    await busy
    assert order.index("web") == 1, order  # right after the transaction it waited for


async def test_a_cancelled_waiter_leaves_the_lock_free(tmp_path: Path) -> None:
    holder, waiter = FileWriteLock(tmp_path / "db"), FileWriteLock(tmp_path / "db")
    async with holder.held():
        task = asyncio.create_task(waiter.held(urgent=True).__aenter__())
        await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    # Neither the write lock nor the intent is left taken.
    await asyncio.wait_for(_store(holder, urgent=False), 1)
    await asyncio.wait_for(_store(holder), 1)


async def test_a_holder_can_see_that_another_process_waits_to_write(tmp_path: Path) -> None:
    """A worker ends its batch early when the web process queues a webhook's update."""
    worker, web = FileWriteLock(tmp_path / "db"), FileWriteLock(tmp_path / "db")
    async with worker.held():
        assert not worker.others_waiting()
        storing = asyncio.create_task(_store(web))
        await asyncio.sleep(0.01)
        assert worker.others_waiting()
    await storing
    async with worker.held():
        assert not worker.others_waiting()


async def test_a_process_whose_writes_are_all_urgent_goes_first(tmp_path: Path) -> None:
    """The web process beside a worker: its relay's writes too, not only webhooks'."""
    worker = FileWriteLock(tmp_path / "db")
    web = FileWriteLock(tmp_path / "db", urgent=True)
    async with worker.held():
        relay_write = asyncio.create_task(_store(web, urgent=False))
        await asyncio.sleep(0.01)
        assert worker.others_waiting()
    await relay_write


async def _store(lock: FileWriteLock, *, urgent: bool = True) -> None:
    async with lock.held(urgent=urgent):
        pass
