"""Leads are never turned away for someone else's sake: behind a trusted reverse proxy
each visitor has their own limit, the limit is a setting, and a plain HTML form that
must wait gets a page in the visitor's language that keeps what they typed."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from typing import Protocol

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bots.http_leads import LeadIntake, TokenBucket, page_language
from brygada.bootstrap import App
from brygada.lead_forms import create_form
from brygada.leads import setup_lead_routes
from domain.company import Role
from storage.models.crm import CrmLeadRow
from tests.factories import make_team

ORIGIN = "https://shop.example"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class Serve(Protocol):
    async def __call__(self, **update: object) -> tuple[TestClient, LeadIntake]: ...


@pytest.fixture
async def token(app: App) -> str:
    await make_team(app, [("boss", Role.ADMIN), ("mia", Role.MANAGER)])
    return await create_form(app, "Website")


@pytest.fixture
async def served(app: App) -> AsyncIterator[Serve]:
    """``await served(**settings)``: the lead routes of an app with these settings."""
    clients: list[TestClient] = []

    async def serve(**update: object) -> tuple[TestClient, LeadIntake]:
        configured = dataclasses.replace(app, settings=app.settings.model_copy(update=update))
        web_app = web.Application()
        intake = setup_lead_routes(web_app, configured, cors_origins=[ORIGIN])
        client = TestClient(TestServer(web_app, host="127.0.0.1"))
        await client.start_server()
        clients.append(client)
        return client, intake

    yield serve
    for client in clients:
        await client.close()


async def _leads(app: App) -> int:
    async with app.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(CrmLeadRow)) or 0)


async def test_behind_a_trusted_proxy_the_31st_visitor_is_not_turned_away(
    app: App, served: Serve, token: str
) -> None:
    client, _ = await served(trusted_proxies=["127.0.0.1"])  # nginx on the same host
    statuses = []
    for n in range(31):
        response = await client.post(
            f"/api/leads/{token}",
            json={"name": f"Visitor {n}", "email": f"v{n}@x.pl"},
            headers={"X-Forwarded-For": f"203.0.113.{n + 1}"},
        )
        statuses.append(response.status)
    assert statuses == [201] * 31
    assert await _leads(app) == 31


async def test_the_limit_is_per_visitor_and_a_spoofed_chain_does_not_escape_it(
    app: App, served: Serve, token: str
) -> None:
    client, _ = await served(
        trusted_proxies=["127.0.0.0/8", "10.0.0.0/8"], lead_rate_limit_per_minute=2
    )
    statuses = []
    for n in range(3):  # the visitor writes a new made-up address before the real one each time
        response = await client.post(
            f"/api/leads/{token}",
            json={"name": f"Flood {n}", "email": f"f{n}@x.pl"},
            headers={"X-Forwarded-For": f"198.51.100.{n}, 203.0.113.7, 10.0.0.2"},
        )
        statuses.append(response.status)
    assert statuses == [201, 201, 429]
    # RFC 7239 Forwarded names another visitor: their own limit.
    response = await client.post(
        f"/api/leads/{token}",
        json={"name": "Other", "email": "o@x.pl"},
        headers={"Forwarded": 'for="[2001:db8:cafe::17]:4711";proto=https, for=10.0.0.2'},
    )
    assert response.status == 201
    assert await _leads(app) == 3


async def test_forwarded_headers_from_an_untrusted_peer_are_ignored(
    served: Serve, token: str
) -> None:
    client, _ = await served(lead_rate_limit_per_minute=2)  # no trusted proxies
    statuses = []
    for n in range(3):
        response = await client.post(
            f"/api/leads/{token}",
            json={"name": f"N{n}", "email": f"n{n}@x.pl"},
            headers={"X-Forwarded-For": f"203.0.113.{n + 1}", "Forwarded": f"for=192.0.2.{n}"},
        )
        statuses.append(response.status)
    assert statuses == [201, 201, 429]


async def test_json_callers_still_get_json_when_limited(served: Serve, token: str) -> None:
    client, _ = await served(lead_rate_limit_per_minute=1)
    await client.post(f"/api/leads/{token}", json={"name": "A", "email": "a@x.pl"})
    response = await client.post(f"/api/leads/{token}", json={"name": "B", "email": "b@x.pl"})
    assert response.status == 429
    assert await response.json() == {"error": "rate_limited"}
    assert int(response.headers["Retry-After"]) >= 1
    response = await client.post(  # a script posting form-encoded but asking for JSON
        f"/api/leads/{token}",
        data={"name": "C", "email": "c@x.pl"},
        headers={"Accept": "application/json"},
    )
    assert response.status == 429 and await response.json() == {"error": "rate_limited"}


class _FormReader(HTMLParser):
    """The inputs and textareas of the page's form, as a browser would post them again."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.action = ""
        self.links: list[str] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = a["action"]
        elif tag == "input":
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields[a["name"]] = ""
        elif tag == "a":
            self.links.append(a["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.fields[self._textarea] += data


@pytest.mark.parametrize(
    ("accept_language", "words"),
    [
        ("pl-PL,pl;q=0.9,en;q=0.8", "Spróbuj ponownie"),
        ("ru,en;q=0.5", "Попробуйте ещё раз"),
        ("de-DE,de;q=0.9", "Please try again"),
    ],
)
async def test_a_limited_html_form_gets_a_page_that_keeps_what_was_typed(
    app: App, served: Serve, token: str, accept_language: str, words: str
) -> None:
    client, intake = await served()
    now = [0.0]
    intake.bucket = TokenBucket(1, clock=lambda: now[0])
    await client.post(f"/api/leads/{token}", json={"name": "First", "email": "first@x.pl"})
    typed = {
        "name": 'Jan "Johnny" Kowalski',
        "phone": "600 100 200",
        "email": "jan@acme.pl",
        "company": "<b>ACME</b> & Sons",
        "comment": "Quote for 20 windows\n</textarea><script>alert(1)</script>",
        "source": "contact page",
        "redirect": f"{ORIGIN}/thanks",
    }
    response = await client.post(
        f"/api/leads/{token}",
        data=typed,
        headers={
            "Accept": BROWSER_ACCEPT,
            "Accept-Language": accept_language,
            "Referer": f"{ORIGIN}/contact",
        },
    )
    assert response.status == 429
    assert response.content_type == "text/html"
    assert int(response.headers["Retry-After"]) >= 1
    page = await response.text()
    assert words in page
    assert "<script>" not in page and "<b>ACME" not in page  # echoed, never run
    form = _FormReader()
    form.feed(page)
    assert form.fields == typed  # everything typed, ready to send again
    assert form.links == [f"{ORIGIN}/contact"]
    assert await _leads(app) == 1
    # A minute later the visitor presses "Send again": the lead arrives as typed.
    now[0] = 60.0
    response = await client.post(form.action, data=form.fields, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == f"{ORIGIN}/thanks"
    async with app.uow() as uow:
        name, comment = (
            await uow.session.execute(
                select(CrmLeadRow.name, CrmLeadRow.comment).order_by(CrmLeadRow.id.desc())
            )
        ).first() or ("", "")
    assert name == typed["name"] and "</textarea><script>" in (comment or "")


def test_page_language_follows_accept_language() -> None:
    assert page_language("pl-PL,pl;q=0.9,en-US;q=0.8") == "pl"
    assert page_language("en;q=0.3, ru;q=0.8") == "ru"
    assert page_language("fr-CH, fr;q=0.9, *;q=0.5") == "en"
    assert page_language("ru;q=0, pl") == "pl"
    assert page_language(None) == "en"
