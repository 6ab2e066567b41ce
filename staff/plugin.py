"""The staff web in the runtime (listed in bot.app.PLUGIN_MODULES): its pages under
``/staff/``, the background export tasks and a daily sweep of ended sessions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from bot.config import Settings
from bot.db.base import utcnow
from bot.delivery import Undeliverable
from bot.jobs import Job
from bot.plugins import Plugin
from bot.types import Reply
from staff import auth, exports
from staff.exports import ExportRunner
from staff.web import PREFIX, STATIC, staff_middleware

if TYPE_CHECKING:
    from bot.app import Runtime

RouteHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def routes() -> list[tuple[str, str, RouteHandler]]:
    """(method, path inside /staff, handler): the route table the tests walk."""
    from staff.views import (
        account,
        audit_log,
        catalogue,
        complaints,
        dashboard,
        exports,
        login,
        questions,
        settings,
        visits,
    )

    return [
        ("GET", "/login", login.login_form),
        ("POST", "/login", login.login_submit),
        ("GET", "/login/totp", login.totp_form),
        ("POST", "/login/totp", login.totp_submit),
        ("POST", "/logout", login.logout),
        ("GET", "/", dashboard.dashboard),
        ("GET", "/province", dashboard.province),
        ("POST", "/commune", account.switch_commune),
        ("GET", "/account", account.account_page),
        ("POST", "/account/password", account.change_password),
        ("POST", "/account/totp", account.enable_totp),
        ("GET", "/complaints", complaints.inbox),
        ("GET", "/complaints/{code}", complaints.ticket_page),
        ("POST", "/complaints/{code}/take", complaints.take),
        ("POST", "/complaints/{code}/reply", complaints.reply),
        ("POST", "/complaints/{code}/ask", complaints.ask),
        ("POST", "/complaints/{code}/close", complaints.close),
        ("POST", "/complaints/{code}/reject", complaints.reject),
        ("POST", "/complaints/{code}/assign", complaints.assign),
        ("POST", "/complaints/{code}/reveal", complaints.reveal),
        ("GET", "/complaints/{code}/photos/{photo}", complaints.photo),
        ("GET", "/catalogue", catalogue.catalogue_list),
        ("GET", "/catalogue/history", catalogue.history_page),
        ("GET", "/catalogue/import", catalogue.import_form),
        ("POST", "/catalogue/import", catalogue.import_preview),
        ("POST", "/catalogue/import/confirm", catalogue.import_confirm),
        ("GET", "/catalogue/{procedure}", catalogue.procedure_page),
        ("POST", "/catalogue/{procedure}", catalogue.procedure_save),
        ("GET", "/questions", questions.questions_page),
        ("POST", "/questions/link", questions.link),
        ("POST", "/questions/dismiss", questions.dismiss),
        ("GET", "/visits", visits.visits_page),
        ("POST", "/visits", visits.record_visit),
        ("GET", "/visits/{visit}/slip", visits.slip),
        ("POST", "/visits/poster", visits.poster),
        ("GET", "/exports", exports.exports_page),
        ("POST", "/exports", exports.create_export),
        ("GET", "/exports/{job}", exports.export_page),
        ("GET", "/exports/{job}/status", exports.export_status),
        ("GET", "/exports/{job}/download", exports.export_download),
        ("GET", "/settings", settings.settings_page),
        ("POST", "/settings/profile", settings.save_profile),
        ("POST", "/settings/hours", settings.save_hours),
        ("POST", "/settings/days", settings.add_day),
        ("POST", "/settings/days/remove", settings.remove_day),
        ("POST", "/settings/targets", settings.save_targets),
        ("POST", "/settings/security", settings.save_security),
        ("GET", "/settings/accounts", settings.accounts_page),
        ("POST", "/settings/accounts", settings.create_account),
        ("POST", "/settings/accounts/{username}", settings.update_account),
        ("GET", "/audit", audit_log.audit_page),
    ]


def build_app(runner: ExportRunner) -> web.Application:
    from staff.views.exports import RUNNER

    app = web.Application(middlewares=[staff_middleware])
    app[RUNNER] = runner
    for method, path, handler in routes():
        app.router.add_route(method, path, handler)
    app.router.add_static("/static/", STATIC, show_index=False)
    return app


async def _to_staff(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound(f"{PREFIX}/")


WEB_STAFF_CHANNEL = "staffweb"  # staff.web.Staff.ref of accounts without a linked chat


class NoChatSender:
    """Complaint reminders addressed to a web-only account (``staffweb:<username>``) have
    no chat to go to: they are marked undeliverable at once instead of waiting forever.
    Linking the account to a chat (settings, "Nhận nhắc việc qua chat") routes them."""

    async def send(self, commune_slug: str, chat_id: str, reply: Reply) -> None:
        raise Undeliverable("web-only staff account: no chat linked for reminders")


class StaffPlugin(Plugin):
    name = "staff"

    def __init__(self) -> None:
        self.runtime: Runtime | None = None
        self.exports = ExportRunner()

    def routes(self, app: web.Application) -> None:
        app.router.add_get(PREFIX, _to_staff)
        app.add_subapp(f"{PREFIX}/", build_app(self.exports))

    def jobs(self, runtime: Runtime) -> list[Job]:
        async def purge() -> None:
            now = utcnow()
            async with runtime.db.transaction() as session:
                await auth.purge(session, now)
            await exports.purge(runtime, now)

        return [Job("staff.purge", purge, cron="41 3 * * *")]

    async def start(self, runtime: Runtime) -> None:
        self.runtime = runtime
        runtime.relay.senders.setdefault(WEB_STAFF_CHANNEL, NoChatSender())
        await exports.recover(runtime)

    async def stop(self) -> None:
        await self.exports.stop()
        self.runtime = None


def plugin(settings: Settings) -> Plugin:
    return StaffPlugin()
