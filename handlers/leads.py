"""Website-form leads (``bots.http_leads`` is their HTTP transport): one submission into
the CRM in its own unit of work.

What a valid lead is, whose it is and what happens next is the domain's
(``domain.services.crm.submit_web_lead``); the conversation adds the words: the "call
the lead" task is titled in its owner's language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from domain.crm import CrmRules, Lead, LeadInput
from domain.ports import Clock, UnitOfWork
from domain.services.crm import submit_web_lead
from handlers.intents.crm import call_task_title


@dataclass(frozen=True)
class WebLeads:
    units_of_work: Callable[[], UnitOfWork]
    clock: Clock
    rules: CrmRules

    async def submit(self, form_token: str, data: LeadInput) -> Lead:
        """Store the lead sent through the form ``form_token``; raises the domain's
        ``FormNotFound``, ``InvalidLead`` or another ``DomainError`` when refused."""
        async with self.units_of_work() as uow:
            lead = await submit_web_lead(
                uow, form_token, data, self.clock.now(), self.rules, call_task_title
            )
            await uow.commit()
        return lead
