"""Settings from ``MOTCUA_*`` environment variables and an optional YAML file of communes.

Environment variables configure the deployment and the default commune, so a single
commune runs with nothing but env vars. A deployment serving several communes lists them
in a YAML file named by ``MOTCUA_CONFIG``; each entry may carry its own channel secrets.
Secrets are ``SecretStr`` so they never appear in logs or reprs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SLUG = "default"
TIMEZONE = "Asia/Ho_Chi_Minh"


class TelegramSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: SecretStr | None = None
    secret: SecretStr | None = None  # webhook secret (X-Telegram-Bot-Api-Secret-Token)
    api_url: str = "https://api.telegram.org"
    bot_username: str | None = None  # for t.me links; fetched with getMe when absent
    staff_chat: str | None = None  # the staff group's chat id
    staff_users: list[str] = Field(default_factory=list)  # staff Telegram user ids

    @field_validator("staff_users", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return _split_list(value)


class ZaloBotSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: SecretStr | None = None
    secret: SecretStr | None = None  # X-Bot-Api-Secret-Token
    api_url: str = "https://bot-api.zaloplatforms.com"
    polling: bool = False  # fetch updates with getUpdates instead of a webhook (local use)


class ZaloOASettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    oa_id: str | None = None
    app_id: str | None = None
    secret_key: SecretStr | None = None  # OA secret key: webhook signatures
    app_secret: SecretStr | None = None  # app secret: OAuth token exchange
    refresh_token: SecretStr | None = None  # initial refresh token (single use)
    api_url: str = "https://openapi.zalo.me"
    oauth_url: str = "https://oauth.zaloapp.com"


class CommuneSettings(BaseModel):
    """A commune as configured. Profile fields set here are applied to the database at
    start-up; fields left out keep whatever staff last saved."""

    model_config = ConfigDict(extra="forbid")

    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    name: str | None = None  # "Xã An Bình"
    kind: str | None = None  # "xã" or "phường"
    province: str | None = None
    address: str | None = None  # the one-stop shop's address
    hours: str | None = None  # opening hours in plain words
    phone: str | None = None
    email: str | None = None
    map_url: str | None = None
    counters: list[str] | None = None
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    zalo_bot: ZaloBotSettings = Field(default_factory=ZaloBotSettings)
    zalo_oa: ZaloOASettings = Field(default_factory=ZaloOASettings)

    def profile(self) -> dict[str, Any]:
        """The profile fields this config sets explicitly."""
        keys = ("name", "kind", "province", "address", "hours", "phone", "email", "map_url")
        data = {k: getattr(self, k) for k in keys if getattr(self, k) is not None}
        if self.counters is not None:
            data["counters"] = list(self.counters)
        return data


class Settings(BaseSettings):
    """Deployment settings. Every field maps to ``MOTCUA_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="MOTCUA_", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str | None = None
    config: Path | None = None  # YAML file listing communes
    host: str = "127.0.0.1"
    port: int = 8080
    # Processes that handle updates beside the web process (bot/workers.py); 0: the web
    # process handles them itself. SQLite allows 1.
    workers: int = 0
    # How much lower a worker's CPU priority is than the web process's (nice, 0-19). Under
    # overload the handling then waits, not the webhooks: Zalo OA disables a webhook that
    # keeps answering late, and every platform redelivers what was not acknowledged.
    worker_niceness: int = Field(10, ge=0, le=19)
    # The servers' event loop (bot/event_loop.py): uvloop, or Python's own to rule it out
    # when chasing a fault. Where uvloop is not installed (Windows) Python's runs.
    event_loop: Literal["uvloop", "asyncio"] = "uvloop"
    public_url: str | None = None  # https://bot.example.vn, for webhooks and links
    log_level: str = "INFO"
    secret_key: SecretStr | None = None  # signs tokens; generated into data_dir if unset
    outbox_lease_seconds: float = 60.0  # a send claimed by a process that died is retried after
    # Per-resident rate limit on every channel (bot/throttle.py): at most this many
    # messages per window from one person; more are answered "too fast" once. 0 = off.
    resident_rate_limit: int = 20
    resident_rate_window_seconds: float = 30.0

    # The default commune, configured from env vars alone.
    commune_slug: str = DEFAULT_SLUG
    commune_name: str | None = None
    commune_kind: str | None = None
    commune_province: str | None = None
    commune_address: str | None = None
    commune_hours: str | None = None
    commune_phone: str | None = None
    commune_map_url: str | None = None

    telegram_token: SecretStr | None = None
    telegram_secret: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_bot_username: str | None = None
    staff_telegram_chat: str | None = None
    staff_telegram_users: str | None = None
    telegram_polling: bool = False  # getUpdates instead of the webhook (serve --telegram-polling)
    telegram_flood_limits: bool = True  # off only against a fake or unlimited Bot API server

    zalo_bot_token: SecretStr | None = None
    zalo_bot_secret: SecretStr | None = None
    zalo_bot_api_url: str = "https://bot-api.zaloplatforms.com"
    zalo_bot_polling: bool = False
    zalo_oa_id: str | None = None
    zalo_oa_app_id: str | None = None
    zalo_oa_secret_key: SecretStr | None = None
    zalo_oa_app_secret: SecretStr | None = None
    zalo_oa_refresh_token: SecretStr | None = None
    zalo_oa_api_url: str = "https://openapi.zalo.me"
    zalo_oa_oauth_url: str = "https://oauth.zaloapp.com"

    @property
    def resolved_database_url(self) -> str:
        """An async SQLAlchemy URL: the configured one, or SQLite in the data directory."""
        if self.database_url:
            return async_url(self.database_url)
        return f"sqlite+aiosqlite:///{(self.data_dir / 'motcua.db').resolve()}"

    def default_commune(self) -> CommuneSettings:
        return CommuneSettings(
            slug=self.commune_slug,
            name=self.commune_name,
            kind=self.commune_kind,
            province=self.commune_province,
            address=self.commune_address,
            hours=self.commune_hours,
            phone=self.commune_phone,
            map_url=self.commune_map_url,
            telegram=TelegramSettings(
                token=self.telegram_token,
                secret=self.telegram_secret,
                api_url=self.telegram_api_url,
                bot_username=self.telegram_bot_username,
                staff_chat=self.staff_telegram_chat,
                staff_users=_split_list(self.staff_telegram_users),
            ),
            zalo_bot=ZaloBotSettings(
                token=self.zalo_bot_token,
                secret=self.zalo_bot_secret,
                api_url=self.zalo_bot_api_url,
                polling=self.zalo_bot_polling,
            ),
            zalo_oa=ZaloOASettings(
                oa_id=self.zalo_oa_id,
                app_id=self.zalo_oa_app_id,
                secret_key=self.zalo_oa_secret_key,
                app_secret=self.zalo_oa_app_secret,
                refresh_token=self.zalo_oa_refresh_token,
                api_url=self.zalo_oa_api_url,
                oauth_url=self.zalo_oa_oauth_url,
            ),
        )

    def communes(self) -> list[CommuneSettings]:
        """The default commune from env vars, then those of the config file.

        A file entry with the default commune's slug extends it: the file's values win.
        """
        default = self.default_commune()
        result: dict[str, CommuneSettings] = {default.slug: default}
        for number, entry in enumerate(load_commune_file(self.config) if self.config else [], 1):
            try:
                if entry.get("slug") == default.slug:
                    merged = default.model_dump(exclude_unset=False)
                    merged.update(entry)
                    result[default.slug] = CommuneSettings.model_validate(merged)
                else:
                    commune = CommuneSettings.model_validate(entry)
                    result[commune.slug] = commune
            except ValidationError as exc:
                raise CommuneFileError(_entry_problems(self.config, number, entry, exc)) from None
        return list(result.values())


class CommuneFileError(ValueError):
    """The communes file (MOTCUA_CONFIG) cannot be read or one of its entries is wrong."""


def _entry_problems(
    path: Path | None, number: int, entry: dict[str, Any], exc: ValidationError
) -> str:
    """Which file, which commune, which fields: never the values, which may be tokens."""
    name = f"commune {entry['slug']!r}" if isinstance(entry.get("slug"), str) else f"entry {number}"
    fields = "; ".join(
        f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}" for error in exc.errors()
    )
    return f"{path}: {name}: {fields}"


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_commune_file(path: Path) -> list[dict[str, Any]]:
    """Read the communes YAML file, failing with a message that names the file."""
    try:
        # libyaml's loader where PyYAML has it: a province's file is read by every
        # process at start and by several commands, ten times faster than in Python.
        text = path.read_text(encoding="utf-8")
        data = yaml.load(text, Loader=_YAML_LOADER) or {}  # noqa: S506 - a safe loader
    except (OSError, yaml.YAMLError) as exc:
        raise CommuneFileError(f"cannot read commune config {path}: {exc}") from exc
    communes = data.get("communes") if isinstance(data, dict) else None
    if not isinstance(communes, list):
        raise CommuneFileError(f"{path}: expected a top-level 'communes:' list")
    for number, entry in enumerate(communes, 1):
        if not isinstance(entry, dict):
            raise CommuneFileError(f"{path}: entry {number} of 'communes:' is not a mapping")
    return [dict(c) for c in communes]


def async_url(url: str) -> str:
    """Pick the async driver for a plain database URL (``postgresql://`` -> asyncpg)."""
    for plain, driver in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


def _split_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value]
