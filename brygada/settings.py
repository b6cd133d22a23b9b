"""All configuration in one pydantic-settings object: environment variables and ``.env``."""

from __future__ import annotations

import ipaddress
import json
from datetime import date, time
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from domain.company import WorkSchedule
from domain.crm import CrmRules

_DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
# The bot scopes of slack/manifest.yml (tests/unit/test_slack_oauth_settings.py keeps
# them equal): what an OAuth install asks each workspace for.
SLACK_BOT_SCOPES = (
    "app_mentions:read,chat:write,commands,files:read,im:history,im:write,"
    "pins:read,pins:write,users:read,users:read.email"
)


def _alias(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BRYGADA_", env_file=".env", extra="ignore", populate_by_name=True
    )

    database_url: str = "sqlite+aiosqlite:///data/brygada.db"
    secret: SecretStr | None = None
    log_level: str = "INFO"

    company_timezone: str = "Europe/Warsaw"
    default_language: str = "en"
    working_days: str = "mon,tue,wed,thu,fri"
    work_start: time = time(9, 0)
    work_end: time = time(18, 0)
    holidays: list[date] = Field(default_factory=list)
    # Whose public holidays are days off (ISO code, "PL"); unset: the company timezone's
    # country; "-": none (only BRYGADA_HOLIDAYS).
    company_country: str | None = None
    # What "morning", "afternoon" and "evening" ("rano", "днём", "вечером") mean in a task.
    morning_time: time = time(9, 0)
    afternoon_time: time = time(14, 0)
    evening_time: time = time(18, 0)

    http_host: str = "127.0.0.1"
    http_port: int = 8080
    # The manager's board (/board, the Telegram Mini App) is served under <public_url>/app;
    # without it /board says the board is not set up. Telegram opens Mini Apps only from
    # https addresses (and then the menu button is set at start).
    public_url: str | None = None
    # A /board link signs in once, within this many minutes; the session it opens (a
    # signed cookie) lasts this long; Telegram's initData is accepted this long after
    # Telegram signed it.
    board_link_minutes: float = Field(10, gt=0)
    board_session_minutes: float = Field(60, gt=0)
    board_init_data_max_age_seconds: int = Field(3600, gt=0)

    @property
    def board_url(self) -> str | None:
        return f"{self.public_url.rstrip('/')}/app" if self.public_url else None

    telegram_bot_token: SecretStr | None = Field(
        None, validation_alias=_alias("TELEGRAM_BOT_TOKEN", "BRYGADA_TELEGRAM_BOT_TOKEN")
    )
    telegram_api_url: str = Field(
        "https://api.telegram.org",
        validation_alias=_alias("TELEGRAM_API_URL", "BRYGADA_TELEGRAM_API_URL"),
    )
    telegram_webhook_url: str | None = None
    # How many webhook requests Telegram may have open at once (setWebhook, 1-100).
    telegram_webhook_max_connections: int = Field(40, ge=1, le=100)
    telegram_bot_username: str | None = None

    slack_bot_token: SecretStr | None = Field(
        None, validation_alias=_alias("SLACK_BOT_TOKEN", "BRYGADA_SLACK_BOT_TOKEN")
    )
    slack_signing_secret: SecretStr | None = Field(
        None, validation_alias=_alias("SLACK_SIGNING_SECRET", "BRYGADA_SLACK_SIGNING_SECRET")
    )
    slack_app_token: SecretStr | None = Field(
        None, validation_alias=_alias("SLACK_APP_TOKEN", "BRYGADA_SLACK_APP_TOKEN")
    )
    slack_api_url: str = Field(
        "https://slack.com/api/", validation_alias=_alias("SLACK_API_URL", "BRYGADA_SLACK_API_URL")
    )
    # OAuth (installs in several workspaces): with both set, bot tokens come from the
    # installations saved in the database instead of SLACK_BOT_TOKEN.
    slack_client_id: str | None = Field(
        None, validation_alias=_alias("SLACK_CLIENT_ID", "BRYGADA_SLACK_CLIENT_ID")
    )
    slack_client_secret: SecretStr | None = Field(
        None, validation_alias=_alias("SLACK_CLIENT_SECRET", "BRYGADA_SLACK_CLIENT_SECRET")
    )
    slack_scopes: str = Field(
        SLACK_BOT_SCOPES, validation_alias=_alias("SLACK_SCOPES", "BRYGADA_SLACK_SCOPES")
    )
    slack_oauth_redirect_uri: str | None = Field(
        None,
        validation_alias=_alias("SLACK_OAUTH_REDIRECT_URI", "BRYGADA_SLACK_OAUTH_REDIRECT_URI"),
    )

    @property
    def slack_oauth(self) -> bool:
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def slack_scope_list(self) -> list[str]:
        return [s.strip() for s in self.slack_scopes.split(",") if s.strip()]

    outbox_interval_seconds: float = 1.0
    # `brygada run` holds a lease in the database: one running instance per database.
    # It is renewed every heartbeat; a lease not renewed for the stale time (its process
    # was killed) may be taken over.
    lease_heartbeat_seconds: float = Field(10.0, gt=0)
    lease_stale_seconds: float = Field(60.0, gt=0)
    # Replicas (`brygada run --role web|worker`, PostgreSQL): one worker leads the sweep
    # (and Telegram polling), one web replica sets the webhook. A leader's lease is
    # renewed every heartbeat; a standby takes over a killed leader's lease once it is
    # this stale: the work moves within stale + heartbeat seconds.
    leader_heartbeat_seconds: float = Field(5.0, gt=0)
    leader_stale_seconds: float = Field(30.0, gt=0)
    # Redis (e.g. redis://127.0.0.1:6379/0): the platforms' rate limits are shared by
    # all replicas through it. Unset: each process keeps its own limiter (one replica).
    redis_url: str | None = None
    # Slack asks for about one message per second per channel.
    slack_messages_per_channel_per_second: float = Field(1.0, gt=0)
    # A Slack request kept before its ack but not handled this long after (the process
    # died) is handled again; the inbox is looked at this often too.
    slack_inbox_retry_seconds: float = Field(10.0, gt=0)
    sweep_interval_seconds: float = 30.0
    overdue_escalation_days: int = 2
    deadline_reminder_minutes: int = 60
    report_request_minutes: int = 30
    forgotten_timer_grace_minutes: int = 60
    # An open question (which deadline? which person?) takes the next message as its
    # answer only this long; later messages are ordinary messages again.
    question_ttl_minutes: float = Field(15, gt=0)
    # The reply outbox keeps what each update owed its chat; the scheduler's housekeeping
    # deletes rows sent this many days ago, and rows given up on (the chat is gone) after
    # the longer time, which leaves them to be looked into.
    reply_retention_sent_days: float = Field(7, gt=0)
    reply_retention_failed_days: float = Field(30, gt=0)
    # Notifications sent (or given up on) and the keys of processed updates are kept
    # this long, then deleted by the same housekeeping; nothing still owed ever is.
    notification_retention_days: float = Field(90, gt=0)
    processed_update_retention_days: float = Field(30, ge=2)
    # Where the console chat saves the charts and files replies carry; a relative path is
    # under the data directory (the one of the default SQLite database).
    files_dir: Path = Path("files")

    # Approvals: custom request types in TOML (None: ./approvals.toml when it exists);
    # a pending request reminds its approver, then escalates, after these working hours.
    approvals_config: Path | None = None
    approval_remind_hours: float = Field(4, gt=0)
    approval_escalate_hours: float = Field(8, gt=0)

    @property
    def approvals_config_path(self) -> Path | None:
        if self.approvals_config is not None:
            return self.approvals_config
        default = Path("approvals.toml")
        return default if default.is_file() else None

    # CRM: the "call the lead" task is due this many working minutes after a lead arrives;
    # an open deal with no activity for this many days is reported to its owner.
    lead_sla_minutes: int = Field(15, ge=1, le=7 * 24 * 60)
    stale_deal_days: int = Field(14, ge=1)
    # Origins allowed to post website-form leads (CORS), e.g. ["https://example.com"].
    crm_cors_origins: list[str] = Field(default_factory=list)
    # Website-form leads accepted per minute from one visitor (the rest get "try again").
    lead_rate_limit_per_minute: int = Field(30, ge=1)
    # Reverse proxies (addresses or CIDR networks, a JSON list or comma-separated) whose
    # Forwarded / X-Forwarded-For headers name the visitor; from anyone else they are ignored.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Default region for phone numbers typed without +country; None: from company_timezone.
    phone_region: str | None = None
    crm_currency: str = "PLN"

    @property
    def crm_rules(self) -> CrmRules:
        return CrmRules(
            lead_sla_minutes=self.lead_sla_minutes,
            stale_deal_days=self.stale_deal_days,
            phone_region=self.phone_region,
            default_currency=self.crm_currency.upper(),
        )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_list(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: list[str]) -> list[str]:
        for entry in value:  # a bad entry stops start-up with its text
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"trusted_proxies: not an address or CIDR: {entry!r}") from None
        return value

    @property
    def trusted_proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in self.trusted_proxies)

    @field_validator("working_days")
    @classmethod
    def _known_days(cls, value: str) -> str:
        days = [d.strip().lower()[:3] for d in value.split(",") if d.strip()]
        unknown = [d for d in days if d not in _DAYS]
        if unknown or not days:
            raise ValueError(f"working_days: unknown day(s) {unknown}; use mon,tue,...")
        return ",".join(days)

    @property
    def schedule(self) -> WorkSchedule:
        return WorkSchedule(
            working_days=frozenset(_DAYS[d] for d in self.working_days.split(",")),
            start=self.work_start,
            end=self.work_end,
            holidays=frozenset(self.holidays),
            country=self._country,
        )

    @property
    def _country(self) -> str | None:
        if self.company_country is None:
            return None
        code = self.company_country.strip().upper()
        return "" if code in ("", "-", "NONE") else code

    @property
    def day_parts(self) -> tuple[time, time, time]:
        return (self.morning_time, self.afternoon_time, self.evening_time)

    @property
    def data_dir(self) -> Path:
        return Path("data")

    @property
    def files_path(self) -> Path:
        return self.data_dir / self.files_dir

    @property
    def chat_platforms(self) -> list[str]:
        platforms = []
        if self.telegram_bot_token:
            platforms.append("telegram")
        if self.slack_bot_token or self.slack_app_token or self.slack_oauth:
            platforms.append("slack")
        return platforms
