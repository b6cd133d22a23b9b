"""Website lead forms for the CLI: ``brygada forms create NAME [--json]``."""

from __future__ import annotations

from brygada.bootstrap import App
from domain.errors import InvalidInput
from domain.services import crm


async def create_form(app: App, name: str) -> str:
    """Create a website form for the install's company and return its token.

    The form posts to ``/api/leads/<token>`` (see docs/leads.md).
    """
    async with app.uow() as uow:
        company = await uow.companies.first()
        if company is None:
            raise InvalidInput(field="company", reason="missing")
        form = await crm.create_form(uow, company.id, name, app.clock.now())
        await uow.commit()
    return form.token
