"""A plain HTML form that is refused for any reason gets a page in the visitor's language
saying what to fix, with everything they typed in a form to send again; scripts asking
for JSON keep getting JSON."""

from __future__ import annotations

import aiohttp
from aiohttp.test_utils import TestClient

from brygada.bootstrap import App
from tests.integration.test_lead_visitors import (
    BROWSER_ACCEPT,
    ORIGIN,
    Serve,
    _FormReader,
    _leads,
    served,
    token,
)

__all__ = ["served", "token"]  # the fixtures, shared with test_lead_visitors

HOSTILE = "Quote for 20 windows\n</textarea><script>alert(1)</script> & more"


def _form(page: str) -> _FormReader:
    form = _FormReader()
    form.feed(page)
    return form


async def _post_form(
    client: TestClient,
    path: str,
    data: dict[str, str] | bytes | aiohttp.FormData,
    language: str = "en",
) -> tuple[int, str, str]:
    response = await client.post(
        path,
        data=data,
        headers={
            "Accept": BROWSER_ACCEPT,
            "Accept-Language": language,
            "Referer": f"{ORIGIN}/contact",
            **(
                {"Content-Type": "application/x-www-form-urlencoded"}
                if isinstance(data, bytes)
                else {}
            ),
        },
        allow_redirects=False,
    )
    return response.status, response.content_type, await response.text()


async def test_a_form_missing_name_and_contact_says_what_to_fix_and_keeps_the_rest(
    app: App, served: Serve, token: str
) -> None:
    client, _ = await served()
    typed = {
        "name": "",
        "phone": "",
        "email": "",
        "company": "<b>ACME</b> & Sons",
        "comment": HOSTILE,
        "source": "contact page",
        "redirect": f"{ORIGIN}/thanks",
    }
    status, ctype, page = await _post_form(client, f"/api/leads/{token}", typed, "pl-PL,pl")
    assert (status, ctype) == (422, "text/html")
    assert "Podaj imię i nazwisko." in page
    assert page.count("Podaj numer telefonu albo adres e-mail.") == 1
    assert "<script>" not in page and "<b>ACME" not in page
    form = _form(page)
    assert form.fields == typed and form.links == [f"{ORIGIN}/contact"]
    assert await _leads(app) == 0
    # The visitor fills in what was missing and sends again: the lead arrives as typed.
    fixed = {**form.fields, "name": "Jan Kowalski", "phone": "600 100 200"}
    response = await client.post(form.action, data=fixed, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == f"{ORIGIN}/thanks"
    assert await _leads(app) == 1


async def test_a_bad_phone_and_a_too_long_message_are_named_and_kept(
    app: App, served: Serve, token: str
) -> None:
    client, _ = await served()
    long_comment = "Please call me. " * 300  # 4800 characters: over the 4000 limit
    typed = {"name": "Anna", "phone": "12", "comment": "Hi"}
    status, _, page = await _post_form(client, f"/api/leads/{token}", typed, "ru")
    assert status == 422 and "Номер телефона выглядит неверным." in page
    assert _form(page).fields["phone"] == "12"
    typed = {"name": "Anna", "email": "anna@example.com", "comment": long_comment}
    status, _, page = await _post_form(client, f"/api/leads/{token}", typed)
    assert status == 422
    assert "“Message” is too long: at most 4000 characters." in page
    assert _form(page).fields["comment"] == long_comment
    assert await _leads(app) == 0


async def test_an_unknown_form_keeps_the_text_but_offers_no_resend(
    app: App, served: Serve, token: str
) -> None:
    client, _ = await served()
    typed = {"name": "Jan", "email": "jan@acme.pl", "comment": HOSTILE}
    status, ctype, page = await _post_form(client, "/api/leads/no-such-form", typed)
    assert (status, ctype) == (404, "text/html")
    assert "This form is closed" in page and "copy it" in page
    form = _form(page)
    assert {k: form.fields[k] for k in typed} == typed
    assert "<button" not in page
    # A script asking for JSON still gets JSON.
    response = await client.post(
        "/api/leads/no-such-form", json=typed, headers={"Accept": "application/json"}
    )
    assert response.status == 404 and await response.json() == {"error": "unknown_form"}


async def test_a_body_over_the_limit_shows_what_arrived(
    app: App, served: Serve, token: str
) -> None:
    client, intake = await served()
    intake.max_body = 2048
    body = b"name=Jan+Kowalski&email=jan%40acme.pl&comment=" + b"x" * 4000
    status, _, page = await _post_form(client, f"/api/leads/{token}", body)
    assert status == 413 and "too long to send" in page and "2 KB" in page
    form = _form(page)
    assert form.fields["name"] == "Jan Kowalski" and form.fields["email"] == "jan@acme.pl"
    assert form.fields["comment"].startswith("xxx")
    response = await client.post(
        f"/api/leads/{token}", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status == 413 and await response.json() == {"error": "too_large"}


async def test_a_body_that_is_not_utf8_is_shown_as_far_as_it_reads(
    app: App, served: Serve, token: str
) -> None:
    client, _ = await served()
    body = b"name=Jan&email=jan%40acme.pl&comment=Za\xbf\xf3\xb3%C4%87"  # Latin-2 bytes
    status, _, page = await _post_form(client, f"/api/leads/{token}", body)
    assert status == 400 and "could not read the form" in page
    form = _form(page)
    assert form.fields["name"] == "Jan" and form.fields["comment"].startswith("Za")


async def test_json_clients_keep_json_errors(app: App, served: Serve, token: str) -> None:
    client, _ = await served()
    response = await client.post(f"/api/leads/{token}", json={"name": ""})
    assert response.status == 422
    assert await response.json() == {
        "error": "invalid",
        "fields": {
            "name": "required",
            "phone": "phone_or_email_required",
            "email": "phone_or_email_required",
        },
    }
    response = await client.post(
        f"/api/leads/{token}",
        data={"name": ""},
        headers={"Accept": "application/json"},
    )
    assert response.status == 422 and response.content_type == "application/json"


async def test_a_multipart_form_with_a_file_field_is_taken_like_any_other(
    app: App, served: Serve, token: str
) -> None:
    """Forms with a file input post multipart/form-data: the text fields are the lead,
    the file is left out, and a refusal shows the page with what was typed."""
    client, _ = await served()
    form = aiohttp.FormData()
    form.add_field("name", "Zofia Wójcik")
    form.add_field("phone", "")
    form.add_field("comment", HOSTILE)
    form.add_field("attachment", b"%PDF-1.4", filename="brief.pdf")
    status, ctype, page = await _post_form(client, f"/api/leads/{token}", form, "pl")
    assert (status, ctype) == (422, "text/html")  # neither phone nor email
    assert _form(page).fields["name"] == "Zofia Wójcik"
    assert _form(page).fields["comment"] == HOSTILE
    form = aiohttp.FormData()
    form.add_field("name", "Zofia Wójcik")
    form.add_field("email", "zofia@example.pl")
    form.add_field("attachment", b"%PDF-1.4", filename="brief.pdf")
    response = await client.post(
        f"/api/leads/{token}", data=form, headers={"Accept": BROWSER_ACCEPT}
    )
    assert response.status in (200, 201, 303)
    assert await _leads(app) == 1


async def test_a_multipart_form_with_a_file_too_large_keeps_the_typed_fields(
    app: App, served: Serve, token: str
) -> None:
    client, _ = await served()
    form = aiohttp.FormData()
    form.add_field("name", "Zofia Wójcik")
    form.add_field("email", "zofia@example.pl")
    form.add_field("comment", "Proszę o wycenę, szczegóły w załączniku")
    form.add_field("attachment", b"%PDF-1.4" + b"x" * 40_000, filename="brief.pdf")
    status, ctype, page = await _post_form(client, f"/api/leads/{token}", form, "pl")
    assert (status, ctype) == (413, "text/html")
    fields = _form(page).fields
    assert fields["name"] == "Zofia Wójcik" and fields["email"] == "zofia@example.pl"
    assert fields["comment"] == "Proszę o wycenę, szczegóły w załączniku"
    assert await _leads(app) == 0
