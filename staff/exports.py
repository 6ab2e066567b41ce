"""Exports and reports written in the background, with progress the page polls.

A request creates an ``ExportJob`` row and starts a task in this process; the task
writes the file under ``data_dir/exports`` with the complaints or surveys feature's own
export functions and records its progress every few thousand rows, so a million survey
answers show a moving bar instead of a request that times out. A job left running by a
process that stopped is marked failed at the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from bot.db.base import utcnow
from complaints import export as complaint_export
from staff.models import ExportJob
from surveys import export as survey_export
from surveys import report as survey_report
from surveys.models import Response
from surveys.periods import Period

if TYPE_CHECKING:
    from bot.app import Runtime

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
PROGRESS_EVERY = 2000
KEEP = timedelta(days=1)


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    formats: tuple[str, ...]
    file_stem: str


KINDS = {
    k.key: k
    for k in (
        Kind("complaints", "Danh sách phản ánh, kiến nghị", ("xlsx", "csv"), "phan-anh"),
        Kind("answers", "Phiếu đánh giá hài lòng (từng phiếu)", ("xlsx", "csv"), "phieu-danh-gia"),
        Kind("report", "Báo cáo kết quả đo lường sự hài lòng", ("pdf", "xlsx"), "bao-cao-hai-long"),
    )
}
STATUS_LABELS = {
    QUEUED: "Đang chờ",
    RUNNING: "Đang tạo tệp",
    DONE: "Xong",
    FAILED: "Không tạo được tệp",
}


def folder(data_dir: Path) -> Path:
    path = data_dir / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_job(
    *,
    kind: str,
    fmt: str,
    period: Period,
    commune_id: int | None,
    commune_slug: str,
    account_id: int,
    params: dict[str, Any],
    now: datetime,
) -> ExportJob:
    spec = KINDS[kind]
    if fmt not in spec.formats:
        raise ValueError(f"format {fmt!r} is not offered for {kind}")
    return ExportJob(
        id=secrets.token_hex(16),
        commune_id=commune_id,
        account_id=account_id,
        kind=kind,
        fmt=fmt,
        params={
            **params,
            "period": period.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        status=QUEUED,
        done_rows=0,
        filename=f"{spec.file_stem}-{commune_slug}-{period.label}.{fmt}".replace("..", "_"),
        created_at=now,
    )


def status_json(job: ExportJob) -> dict[str, Any]:
    label = STATUS_LABELS.get(job.status, job.status)
    if job.status == RUNNING and job.total_rows:
        label += f": {job.done_rows}/{job.total_rows} dòng"
    elif job.status == DONE:
        label += f" ({job.done_rows} dòng)" if job.kind != "report" else ""
    elif job.status == FAILED and job.error:
        label += f": {job.error}"
    return {
        "status": job.status,
        "done": job.done_rows,
        "total": job.total_rows,
        "label": label,
    }


class ExportRunner:
    """Runs export jobs as tasks of this process; ``stop`` cancels what is running."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[None]] = set()

    def start(self, runtime: Runtime, job_id: str) -> asyncio.Task[None]:
        task = asyncio.create_task(self.run(runtime, job_id), name=f"export-{job_id}")
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def stop(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        for task in list(self.tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def run(self, runtime: Runtime, job_id: str) -> None:
        async with runtime.db.transaction() as session:
            job = await session.get(ExportJob, job_id)
            if job is None or job.status != QUEUED:
                return
            job.status = RUNNING
        path = folder(runtime.settings.data_dir) / f"{job.id}.{job.fmt}"
        try:
            rows = await self._write(runtime, job, path)
        except asyncio.CancelledError:
            await _finish(runtime, job_id, FAILED, error="dừng giữa chừng")
            raise
        except Exception as exc:
            log.exception("export %s failed", job_id)
            path.unlink(missing_ok=True)
            await _finish(runtime, job_id, FAILED, error=type(exc).__name__)
            return
        await _finish(runtime, job_id, DONE, path=path, rows=rows)

    async def _write(self, runtime: Runtime, job: ExportJob, path: Path) -> int:
        start, end = Period(job.params["period"], *_dates(job.params)).utc_bounds()
        now = utcnow()
        if job.kind == "complaints":
            assert job.commune_id is not None
            async with runtime.db.read() as session:
                table = await complaint_export.ticket_rows(
                    session,
                    job.commune_id,
                    start,
                    end,
                    reveal_contacts=bool(job.params.get("reveal")),
                    now=now,
                )
            await asyncio.to_thread(complaint_export.write, table, path, job.fmt)
            return len(table.rows)
        if job.kind == "answers":
            return await self._answers(runtime, job, path, start, end)
        if job.kind == "report":
            assert job.commune_id is not None
            commune = runtime.communes.by_id(job.commune_id)
            period = Period(job.params["period"], *_dates(job.params))
            async with runtime.db.read() as session:
                data = await survey_report.gather(
                    session,
                    commune_id=commune.id,
                    commune_name=commune.name,
                    period=period,
                    now=now,
                )
            await asyncio.to_thread(survey_report.write, data, path, job.fmt)
            return data.index.answers
        raise ValueError(f"unknown export kind {job.kind!r}")

    async def _answers(
        self, runtime: Runtime, job: ExportJob, path: Path, start: datetime, end: datetime
    ) -> int:
        ids = None if job.commune_id is None else [job.commune_id]
        with_comments = bool(job.params.get("comments"))
        async with runtime.db.read() as session:
            count_query = select(func.count(Response.id)).where(
                Response.answered_at >= start, Response.answered_at < end
            )
            if ids is not None:
                count_query = count_query.where(Response.commune_id.in_(ids))
            total = int((await session.execute(count_query)).scalar_one())
            await _progress(runtime, job.id, 0, total)
            header = [c.title for c in survey_export.columns(with_comments)]
            rows = survey_export.answer_rows(
                session, start, end, commune_ids=ids, with_comments=with_comments
            )
            counted = _counting(rows, runtime, job.id, total)
            if job.fmt == "csv":
                return await survey_export.write_csv(counted, header, path)
            return await survey_export.write_xlsx(counted, header, path)


async def _counting(
    rows: AsyncIterator[list[Any]], runtime: Runtime, job_id: str, total: int
) -> AsyncIterator[list[Any]]:
    done = 0
    async for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            await _progress(runtime, job_id, done, total)


def _dates(params: dict[str, Any]) -> tuple[Any, Any]:
    from datetime import date

    return date.fromisoformat(params["start"]), date.fromisoformat(params["end"])


async def _progress(runtime: Runtime, job_id: str, done: int, total: int | None) -> None:
    async with runtime.db.transaction() as session:
        await session.execute(
            update(ExportJob).where(ExportJob.id == job_id).values(done_rows=done, total_rows=total)
        )


async def _finish(
    runtime: Runtime,
    job_id: str,
    status: str,
    *,
    path: Path | None = None,
    rows: int = 0,
    error: str | None = None,
) -> None:
    async with runtime.db.transaction() as session:
        job = await session.get(ExportJob, job_id)
        if job is None:
            return
        job.status, job.finished_at, job.error = status, utcnow(), error
        if path is not None:
            job.path, job.done_rows = str(path), rows
            job.total_rows = job.total_rows or rows


async def recover(runtime: Runtime) -> None:
    """Jobs of a process that stopped will never finish: say so."""
    async with runtime.db.transaction() as session:
        await session.execute(
            update(ExportJob)
            .where(ExportJob.status.in_((QUEUED, RUNNING)))
            .values(status=FAILED, error="máy chủ khởi động lại", finished_at=utcnow())
        )


async def purge(runtime: Runtime, now: datetime) -> int:
    """Delete export files and rows older than a day: exports hold personal data."""
    async with runtime.db.transaction() as session:
        old = list(
            (
                await session.execute(select(ExportJob).where(ExportJob.created_at < now - KEEP))
            ).scalars()
        )
        for job in old:
            if job.path:
                await asyncio.to_thread(Path(job.path).unlink, missing_ok=True)
            await session.delete(job)
    return len(old)
