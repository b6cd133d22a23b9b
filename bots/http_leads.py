"""Website-form lead intake: ``POST /api/leads/<form token>`` (JSON or form-encoded).

Transport only: size limit, per-IP rate limit, CORS, parsing, the honeypot, and the
mapping of domain outcomes to HTTP statuses. What a valid lead is, who gets it and
what happens next is decided in ``domain.services.crm.submit_web_lead``.

    201 {"id": 12}                       stored (the honeypot gets the same answer, id 0)
    404 {"error": "unknown_form"}        no (active) form with that token
    413 {"error": "too_large"}           body over ``max_body`` bytes
    415 {"error": "unsupported_media_type"}
    400 {"error": "malformed"}           JSON that does not parse, or not an object
    422 {"error": "invalid", "fields": {"phone": "invalid", ...}}
    429 {"error": "rate_limited"}        with Retry-After
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiohttp import web

from brygada.bootstrap import App
from domain.crm import FormNotFound, InvalidLead, LeadInput
from domain.errors import DomainError
from domain.services.crm import submit_web_lead
from handlers.intents.crm import call_task_title

log = logging.getLogger(__name__)

FIELDS = ("name", "phone", "email", "company", "comment", "source")
HONEYPOT = "website"
_FIELD_MAX = 4000


class TokenBucket:
    """In-memory per-key token buckets: ``per_minute`` requests, refilled continuously.

    Per process: several workers behind a load balancer each keep their own buckets.
    """

    def __init__(
        self, per_minute: int, clock: Callable[[], float] = time.monotonic, max_keys: int = 50_000
    ) -> None:
        self.capacity = float(max(per_minute, 1))
        self.rate = self.capacity / 60.0
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> float:
        """0.0 when allowed (a token is spent), else the seconds until one is available."""
        now = self._clock()
        tokens, last = self._buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            self._prune(now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / self.rate

    def _prune(self, now: float) -> None:
        if len(self._buckets) <= self._max_keys:
            return
        full = [
            k
            for k, (t, last) in self._buckets.items()
            if t + (now - last) * self.rate >= self.capacity
        ]
        for key in full:
            del self._buckets[key]


class _BadRequest(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body)
        self.status = status
        self.body = body


@dataclass
class LeadIntake:
    app: App
    cors_origins: frozenset[str]
    bucket: TokenBucket
    max_body: int

    # -- CORS -------------------------------------------------------------------------------
    def _allowed_origin(self, request: web.Request) -> str | None:
        origin = request.headers.get("Origin")
        if origin is None:
            return None
        if "*" in self.cors_origins:
            return "*"
        return origin if origin.rstrip("/") in self.cors_origins else None

    def _cors(self, request: web.Request) -> dict[str, str]:
        origin = self._allowed_origin(request)
        if origin is None:
            return {}
        headers = {"Access-Control-Allow-Origin": origin}
        if origin != "*":
            headers["Vary"] = "Origin"
        return headers

    async def options(self, request: web.Request) -> web.Response:
        """The CORS preflight: allowed origins get the methods and headers they may use."""
        headers = self._cors(request)
        if not headers:
            return web.Response(status=403)
        headers.update(
            {
                "Access-Control-Allow-Methods": "POST, OPTIONS",
                "Access-Control-Allow-Headers": "Content-Type",
                "Access-Control-Max-Age": "86400",
            }
        )
        return web.Response(status=204, headers=headers)

    # -- POST -------------------------------------------------------------------------------
    async def post(self, request: web.Request) -> web.StreamResponse:
        cors = self._cors(request)
        wait = self.bucket.take(request.remote or "?")
        if wait:
            retry = str(max(1, math.ceil(wait)))
            return _json(429, {"error": "rate_limited"}, {**cors, "Retry-After": retry})
        try:
            fields = await self._fields(request)
        except _BadRequest as bad:
            return _json(bad.status, bad.body, cors)
        redirect = self._redirect(fields.pop("redirect", None))
        if fields.get(HONEYPOT, "").strip():
            log.info("web lead honeypot filled from %s: ignored", request.remote)
            return _created(0, redirect, cors)
        data = LeadInput(
            name=fields.get("name"),
            phone=fields.get("phone"),
            email=fields.get("email"),
            company_name=fields.get("company"),
            comment=fields.get("comment"),
            source=fields.get("source"),
        )
        app = self.app
        try:
            async with app.uow() as uow:
                lead = await submit_web_lead(
                    uow,
                    request.match_info.get("token", ""),
                    data,
                    app.clock.now(),
                    app.settings.crm_rules,
                    call_task_title,
                )
                await uow.commit()
        except FormNotFound:
            return _json(404, {"error": "unknown_form"}, cors)
        except InvalidLead as error:
            fields_problems: Mapping[str, str] = error.params.get("fields", {})
            return _json(422, {"error": "invalid", "fields": dict(fields_problems)}, cors)
        except DomainError as error:
            return _json(
                422,
                {
                    "error": "invalid",
                    "fields": {str(error.params.get("field")): str(error.params.get("reason"))},
                },
                cors,
            )
        return _created(lead.id or 0, redirect, cors)

    async def _fields(self, request: web.Request) -> dict[str, str]:
        if request.content_length is not None and request.content_length > self.max_body:
            raise _BadRequest(413, {"error": "too_large"})
        body = await request.content.read(self.max_body + 1)
        if len(body) > self.max_body:
            raise _BadRequest(413, {"error": "too_large"})
        ctype = request.content_type
        raw: dict[str, Any]
        if ctype == "application/json":
            try:
                parsed = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise _BadRequest(400, {"error": "malformed"}) from exc
            if not isinstance(parsed, dict):
                raise _BadRequest(400, {"error": "malformed"})
            raw = parsed
        elif ctype in ("application/x-www-form-urlencoded", "text/plain", ""):
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise _BadRequest(400, {"error": "malformed"}) from exc
            raw = {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
        else:
            raise _BadRequest(415, {"error": "unsupported_media_type"})
        fields: dict[str, str] = {}
        problems: dict[str, str] = {}
        for key in (*FIELDS, HONEYPOT, "redirect"):
            value = raw.get(key)
            if value is None:
                continue
            if isinstance(value, int | float) and not isinstance(value, bool) and key == "phone":
                value = str(value)
            if not isinstance(value, str):
                problems[key] = "not_text"
            elif len(value) > _FIELD_MAX:
                problems[key] = "too_long"
            else:
                fields[key] = value
        if problems:
            raise _BadRequest(422, {"error": "invalid", "fields": problems})
        return fields

    def _redirect(self, url: str | None) -> str | None:
        """A plain HTML form may ask to be sent back to a page of an allowed origin."""
        if not url:
            return None
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.scheme in ("http", "https") and origin in self.cors_origins:
            return url
        return None


def _json(status: int, body: dict[str, Any], headers: Mapping[str, str]) -> web.Response:
    return web.json_response(body, status=status, headers=dict(headers))


def _created(lead_id: int, redirect: str | None, headers: Mapping[str, str]) -> web.Response:
    if redirect is not None:
        return web.Response(status=303, headers={**headers, "Location": redirect})
    return _json(201, {"id": lead_id}, headers)


def setup_lead_routes(
    web_app: web.Application,
    app: App,
    *,
    cors_origins: list[str],
    rate_limit_per_minute: int = 30,
    max_body: int = 16384,
) -> LeadIntake:
    """Mount ``POST/OPTIONS /api/leads/{token}`` on a shared aiohttp application."""
    intake = LeadIntake(
        app=app,
        cors_origins=frozenset(o.rstrip("/") for o in cors_origins),
        bucket=TokenBucket(rate_limit_per_minute),
        max_body=max_body,
    )
    web_app.router.add_route("POST", "/api/leads/{token}", intake.post)
    web_app.router.add_route("OPTIONS", "/api/leads/{token}", intake.options)
    return intake
