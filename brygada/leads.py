"""The website lead intake of a composed app (``bots.http_leads``), with its settings."""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

from bots.client_address import IPNetwork
from bots.http_leads import LeadIntake
from bots.http_leads import setup_lead_routes as mount_lead_intake
from brygada.bootstrap import App
from handlers.leads import WebLeads


def setup_lead_routes(
    web_app: web.Application,
    app: App,
    *,
    cors_origins: Sequence[str],
    rate_limit_per_minute: int | None = None,
    trusted_proxies: Sequence[IPNetwork] | None = None,
    max_body: int = 16384,
) -> LeadIntake:
    """Mount ``POST/OPTIONS /api/leads/{token}`` on a shared aiohttp application.

    The rate limit and the trusted proxies default to the app's settings
    (``BRYGADA_LEAD_RATE_LIMIT_PER_MINUTE``, ``BRYGADA_TRUSTED_PROXIES``)."""
    settings = app.settings
    proxies = settings.trusted_proxy_networks if trusted_proxies is None else trusted_proxies
    return mount_lead_intake(
        web_app,
        WebLeads(app.uow, app.clock, settings.crm_rules),
        cors_origins=cors_origins,
        rate_limit_per_minute=rate_limit_per_minute or settings.lead_rate_limit_per_minute,
        trusted_proxies=proxies,
        max_body=max_body,
    )
