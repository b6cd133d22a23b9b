"""The website-form intake over real HTTP (aiohttp test server): good, malformed, oversized,
unauthenticated and flooding requests, CORS and the honeypot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bots.http_leads import TokenBucket
from brygada.bootstrap import App
from brygada.lead_forms import create_form
from brygada.leads import setup_lead_routes
from domain.company import Role
from storage.models import OutboxRow, TaskRow
from storage.models.crm import CrmLeadRow
from tests.factories import make_team

ORIGIN = "https://shop.example"


@pytest.fixture
async def token(app: App) -> str:
    await make_team(app, [("boss", Role.ADMIN), ("mia", Role.MANAGER)])
    return await create_form(app, "Website")


@pytest.fixture
async def client(app: App, token: str) -> AsyncIterator[TestClient]:
    web_app = web.Application()
    setup_lead_routes(web_app, app, cors_origins=[ORIGIN], rate_limit_per_minute=5, max_body=2048)
    async with TestClient(TestServer(web_app)) as test_client:
        yield test_client


async def _count(app: App, model: type) -> int:
    async with app.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)


async def test_json_lead_is_stored_assigned_and_announced(
    app: App, client: TestClient, token: str
) -> None:
    response = await client.post(
        f"/api/leads/{token}",
        json={
            "name": "Jan Kowalski",
            "phone": "600 100 200",
            "email": "jan@acme.pl",
            "company": "ACME",
            "comment": "Quote for 20 windows",
            "source": "landing-1",
        },
        headers={"Origin": ORIGIN},
    )
    assert response.status == 201
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    body = await response.json()
    async with app.uow() as uow:
        lead = await uow.crm.get_lead(body["id"])
        assert lead is not None
        assert (lead.name, lead.phone, lead.source) == ("Jan Kowalski", "+48600100200", "landing-1")
        mia = await uow.members.by_handle(lead.company_id, "mia")
        assert mia is not None and lead.owner_id == mia.id  # no Sales department: managers
        kinds = list(await uow.session.scalars(select(OutboxRow.kind)))
        assert "lead.new" in kinds
    assert await _count(app, TaskRow) == 1  # the "call the lead" task


async def test_form_encoded_lead_and_redirect(app: App, client: TestClient, token: str) -> None:
    response = await client.post(
        f"/api/leads/{token}",
        data={"name": "Ewa", "email": "ewa@x.pl", "redirect": f"{ORIGIN}/thanks"},
        allow_redirects=False,
    )
    assert response.status == 303
    assert response.headers["Location"] == f"{ORIGIN}/thanks"
    response = await client.post(
        f"/api/leads/{token}",
        data={"name": "Ewa", "email": "ewa@x.pl", "redirect": "https://evil.example/"},
    )
    assert response.status == 201  # a redirect elsewhere is ignored
    assert await _count(app, CrmLeadRow) == 2


async def test_missing_and_bad_fields_are_named_and_nothing_is_stored(
    app: App, client: TestClient, token: str
) -> None:
    response = await client.post(f"/api/leads/{token}", json={"company": "ACME"})
    assert response.status == 422
    fields = (await response.json())["fields"]
    assert set(fields) == {"name", "phone", "email"}
    response = await client.post(f"/api/leads/{token}", json={"name": "X", "phone": "12"})
    assert response.status == 422
    assert (await response.json())["fields"] == {"phone": "invalid"}
    response = await client.post(f"/api/leads/{token}", json={"name": ["X"], "email": "a@b.pl"})
    assert response.status == 422
    assert (await response.json())["fields"] == {"name": "not_text"}
    assert await _count(app, CrmLeadRow) == 0
    assert await _count(app, TaskRow) == 0


async def test_malformed_and_unsupported_bodies(client: TestClient, token: str) -> None:
    response = await client.post(
        f"/api/leads/{token}", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    response = await client.post(
        f"/api/leads/{token}", data=b"[1, 2]", headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    response = await client.post(
        f"/api/leads/{token}", data=b"\x00", headers={"Content-Type": "application/octet-stream"}
    )
    assert response.status == 415


async def test_oversized_body_is_refused(app: App, client: TestClient, token: str) -> None:
    response = await client.post(
        f"/api/leads/{token}", json={"name": "Big", "email": "b@x.pl", "comment": "x" * 5000}
    )
    assert response.status == 413
    assert await _count(app, CrmLeadRow) == 0


async def test_unknown_token_is_not_found(app: App, client: TestClient) -> None:
    response = await client.post("/api/leads/not-a-form", json={"name": "A", "email": "a@b.pl"})
    assert response.status == 404
    assert await _count(app, CrmLeadRow) == 0


async def test_honeypot_is_answered_like_success_but_stores_nothing(
    app: App, client: TestClient, token: str
) -> None:
    response = await client.post(
        f"/api/leads/{token}",
        json={"name": "Bot", "email": "bot@spam.example", "website": "http://spam.example"},
    )
    assert response.status == 201
    assert await _count(app, CrmLeadRow) == 0


async def test_flooding_is_rate_limited_per_ip(app: App, client: TestClient, token: str) -> None:
    statuses = []
    for i in range(8):
        response = await client.post(
            f"/api/leads/{token}", json={"name": f"N{i}", "email": f"n{i}@x.pl"}
        )
        statuses.append(response.status)
    assert statuses[:5] == [201] * 5
    assert set(statuses[5:]) == {429}
    assert int(response.headers["Retry-After"]) >= 1
    assert await _count(app, CrmLeadRow) == 5


async def test_cors_preflight(client: TestClient, token: str) -> None:
    response = await client.options(
        f"/api/leads/{token}", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
    )
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    response = await client.options(
        f"/api/leads/{token}", headers={"Origin": "https://other.example"}
    )
    assert response.status == 403
    assert "Access-Control-Allow-Origin" not in response.headers


def test_token_bucket_refills() -> None:
    now = [0.0]
    bucket = TokenBucket(2, clock=lambda: now[0])
    assert bucket.take("a") == 0 and bucket.take("a") == 0
    assert bucket.take("a") == pytest.approx(30.0)
    assert bucket.take("b") == 0
    now[0] = 30.0
    assert bucket.take("a") == 0
