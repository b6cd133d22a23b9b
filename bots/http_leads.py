"""Website-form lead intake: ``POST /api/leads/<form token>`` (JSON, url-encoded or
multipart form data; a multipart form's files are not lead fields and are left out).

Transport only: size limit, per-visitor rate limit, CORS, parsing, the honeypot, and the
mapping of domain outcomes to HTTP statuses. The visitor is the connecting address, or,
behind a trusted reverse proxy (``BRYGADA_TRUSTED_PROXIES``), the address it forwarded
(``bots.client_address``). What a valid lead is, who gets it and
what happens next is decided in ``domain.services.crm.submit_web_lead`` (through
``handlers.leads``); ``brygada.leads`` mounts the routes for a composed app.

    201 {"id": 12}                       stored (the honeypot gets the same answer, id 0)
    404 {"error": "unknown_form"}        no (active) form with that token
    413 {"error": "too_large"}           body over ``max_body`` bytes
    415 {"error": "unsupported_media_type"} any other body type
    400 {"error": "malformed"}           JSON that does not parse, or not an object
    422 {"error": "invalid", "fields": {"phone": "invalid", ...}}
    429 {"error": "rate_limited"}        with Retry-After

A plain HTML form (it accepts text/html, or posts form-encoded without asking for JSON)
gets, with the same status, a page in the visitor's language instead of JSON: what to
fix (or to try again in a moment) and everything they typed, in a form to send again
(``lead_form_retry``, ``lead_form_fix``). Nothing a visitor wrote is dropped unseen.
"""

from __future__ import annotations

import dataclasses
import email.policy
import html
import json
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiohttp import web

from bots.client_address import IPNetwork, client_address, forwarded_chain
from domain.crm import FormNotFound, InvalidLead, LeadInput
from domain.errors import DomainError
from handlers.leads import WebLeads
from handlers.rendering import Dialect, Renderer

log = logging.getLogger(__name__)

FIELDS = ("name", "phone", "email", "company", "comment", "source")
HONEYPOT = "website"
_FIELD_MAX = 4000
# The languages of the page a plain HTML form gets when it must try again.
PAGE_LANGUAGES = ("en", "pl", "ru")
# Every value in a web page is escaped, quotes too (values sit in attributes).
WEB_HTML = Dialect(
    "web",
    lambda s: html.escape(s, quote=True),
    "<b>{0}</b>",
    "<i>{0}</i>",
    "<code>{0}</code>",
    '<a href="{url}">{text}</a>',
)


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
    """A submission refused before it reached the domain; ``typed``: what could be read
    of it, to show the visitor again."""

    def __init__(
        self, status: int, body: dict[str, Any], typed: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(body)
        self.status = status
        self.body = body
        self.typed: Mapping[str, str] = typed or {}


@dataclass
class LeadIntake:
    leads: WebLeads
    cors_origins: frozenset[str]
    bucket: TokenBucket
    max_body: int
    trusted_proxies: tuple[IPNetwork, ...] = ()
    pages: Renderer = dataclasses.field(default_factory=lambda: Renderer(WEB_HTML))

    def visitor(self, request: web.Request) -> str:
        """Whose requests count together for the rate limit (see ``bots.client_address``)."""
        chain = forwarded_chain(
            request.headers.getall("Forwarded", []), request.headers.getall("X-Forwarded-For", [])
        )
        return client_address(request.remote, chain, self.trusted_proxies)

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
        visitor = self.visitor(request)
        wait = self.bucket.take(visitor)
        if wait:
            seconds = max(1, math.ceil(wait))
            headers = {**cors, "Retry-After": str(seconds)}
            log.info("web lead from %s rate limited (%ss)", visitor, seconds)
            if _wants_page(request):
                return await self._try_again_page(request, seconds, headers)
            return _json(429, {"error": "rate_limited"}, headers)
        page = _wants_page(request)
        try:
            fields = await self._fields(request)
        except _BadRequest as bad:
            if page:
                problems = bad.body.get("fields") or {}
                return self._fix_page(request, bad.status, bad.body["error"], bad.typed, problems)
            return _json(bad.status, bad.body, cors)
        typed = dict(fields)
        redirect = self._redirect(fields.pop("redirect", None))
        if fields.get(HONEYPOT, "").strip():
            log.info("web lead honeypot filled from %s: ignored", visitor)
            return _created(0, redirect, cors)
        data = LeadInput(
            name=fields.get("name"),
            phone=fields.get("phone"),
            email=fields.get("email"),
            company_name=fields.get("company"),
            comment=fields.get("comment"),
            source=fields.get("source"),
        )
        try:
            lead = await self.leads.submit(request.match_info.get("token", ""), data)
        except FormNotFound:
            if page:
                return self._fix_page(request, 404, "unknown_form", typed, {})
            return _json(404, {"error": "unknown_form"}, cors)
        except InvalidLead as error:
            fields_problems: Mapping[str, str] = error.params.get("fields", {})
            if page:
                return self._fix_page(request, 422, "invalid", typed, fields_problems)
            return _json(422, {"error": "invalid", "fields": dict(fields_problems)}, cors)
        except DomainError as error:
            problem = {str(error.params.get("field")): str(error.params.get("reason"))}
            if page:
                return self._fix_page(request, 422, "invalid", typed, problem)
            return _json(422, {"error": "invalid", "fields": problem}, cors)
        return _created(lead.id, redirect, cors)

    async def _fields(self, request: web.Request) -> dict[str, str]:
        body = await request.content.read(self.max_body + 1)
        if len(body) > self.max_body or (request.content_length or 0) > self.max_body:
            # What arrived up to the limit is shown again: the visitor shortens it.
            raise _BadRequest(
                413, {"error": "too_large"}, _readable(body[: self.max_body], request)
            )
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
                raise _BadRequest(400, {"error": "malformed"}, _readable(body, request)) from exc
            raw = {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
        elif ctype == "multipart/form-data":  # a form with a file field, or so set up
            multipart = _multipart(body, request.headers.get("Content-Type", ""))
            if multipart is None:
                raise _BadRequest(400, {"error": "malformed"})
            raw = multipart
        else:
            raise _BadRequest(415, {"error": "unsupported_media_type"}, _readable(body, request))
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
            typed = {k: v for k in (*FIELDS, "redirect") if isinstance(v := raw.get(k), str)}
            raise _BadRequest(422, {"error": "invalid", "fields": problems}, typed)
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

    async def _try_again_page(
        self, request: web.Request, seconds: int, headers: Mapping[str, str]
    ) -> web.Response:
        """The visitor's language, what they typed in a form that posts it again, and a
        link back to the page they came from (when it is on an allowed origin)."""
        try:
            typed = await self._fields(request)
        except _BadRequest:
            typed = {}
        hidden = [(k, typed[k]) for k in ("source", "redirect") if typed.get(k)]
        page = self.pages.text(
            "lead_form_retry",
            page_language(request.headers.get("Accept-Language")),
            {
                "seconds": seconds,
                "action": request.path,
                "fields": {k: typed.get(k, "") for k in FIELDS},
                "hidden": hidden,
                "back": self._redirect(request.headers.get("Referer")),
            },
        )
        return web.Response(
            status=429,
            text=page,
            content_type="text/html",
            charset="utf-8",
            headers={**headers, "Cache-Control": "no-store"},
        )

    def _fix_page(
        self,
        request: web.Request,
        status: int,
        reason: str,
        typed: Mapping[str, str],
        problems: Mapping[str, str],
    ) -> web.Response:
        """A refused submission from a plain HTML form: in the visitor's language, what to
        fix, and everything they typed in a form to send again (none to an unknown form)."""
        hidden = [(k, typed[k]) for k in ("source", "redirect") if typed.get(k)]
        page = self.pages.text(
            "lead_form_fix",
            page_language(request.headers.get("Accept-Language")),
            {
                "reason": reason,
                "problems": dict(problems),
                "action": request.path,
                "fields": {k: typed.get(k, "") for k in FIELDS},
                "hidden": hidden,
                "resend": reason != "unknown_form",
                "back": self._redirect(request.headers.get("Referer")),
                "limit": _FIELD_MAX,
                "max_kb": max(1, self.max_body // 1024),
            },
        )
        log.info("web lead refused (%s %s): the visitor got the page to fix it", status, reason)
        return web.Response(
            status=status,
            text=page,
            content_type="text/html",
            charset="utf-8",
            headers={**self._cors(request), "Cache-Control": "no-store"},
        )


def _multipart(body: bytes, content_type: str) -> dict[str, Any] | None:
    """The text fields of a ``multipart/form-data`` body (files are not lead fields and
    are left out); None when it cannot be read."""
    message = BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        return None
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or part.get_filename() is not None or name in fields:
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        charset = part.get_content_charset() or "utf-8"
        try:
            fields[name] = payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            return None
    return fields


def _readable(body: bytes, request: web.Request) -> dict[str, str]:
    """What can be read of a form body that was refused (cut at the size limit, not UTF-8,
    of another type): its fields, with undecodable bytes replaced. A multipart body cut
    short keeps the fields before the cut (a large file usually comes last)."""
    if request.content_type == "multipart/form-data":
        lenient = body.decode("utf-8", errors="replace").encode("utf-8")
        parts = _multipart(lenient, request.headers.get("Content-Type", "")) or {}
        return {k: v for k, v in parts.items() if k in (*FIELDS, "redirect")}
    text = body.decode("utf-8", errors="replace")
    try:
        parsed = parse_qs(text, keep_blank_values=True)
    except ValueError:
        return {}
    return {k: v[0] for k, v in parsed.items() if k in (*FIELDS, "redirect")}


def _wants_page(request: web.Request) -> bool:
    """A browser's own form post (no script): it asks for HTML, or posts form-encoded
    without asking for JSON. Scripts that want JSON say so or post JSON."""
    accept = request.headers.get("Accept", "").lower()
    if "application/json" in accept:
        return False
    if "text/html" in accept:
        return True
    return request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")


def page_language(accept_language: str | None) -> str:
    """The visitor's best language among ``PAGE_LANGUAGES`` (``Accept-Language`` with
    q-values, ``pl-PL`` counts as ``pl``); English when none of them is wanted."""
    best, best_q = "en", 0.0
    for item in (accept_language or "").split(","):
        tag, _, params = item.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        lang = tag.strip().lower().split("-")[0]
        if lang in PAGE_LANGUAGES and q > best_q:  # a tie keeps the earlier (preferred) one
            best, best_q = lang, q
    return best


def _json(status: int, body: dict[str, Any], headers: Mapping[str, str]) -> web.Response:
    return web.json_response(body, status=status, headers=dict(headers))


def _created(lead_id: int, redirect: str | None, headers: Mapping[str, str]) -> web.Response:
    if redirect is not None:
        return web.Response(status=303, headers={**headers, "Location": redirect})
    return _json(201, {"id": lead_id}, headers)


def setup_lead_routes(
    web_app: web.Application,
    leads: WebLeads,
    *,
    cors_origins: Sequence[str],
    rate_limit_per_minute: int,
    trusted_proxies: Sequence[IPNetwork] = (),
    max_body: int = 16384,
) -> LeadIntake:
    """Mount ``POST/OPTIONS /api/leads/{token}`` on a shared aiohttp application."""
    intake = LeadIntake(
        leads=leads,
        cors_origins=frozenset(o.rstrip("/") for o in cors_origins),
        bucket=TokenBucket(rate_limit_per_minute),
        max_body=max_body,
        trusted_proxies=tuple(trusted_proxies),
    )
    web_app.router.add_route("POST", "/api/leads/{token}", intake.post)
    web_app.router.add_route("OPTIONS", "/api/leads/{token}", intake.options)
    return intake
