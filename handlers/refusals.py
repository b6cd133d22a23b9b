"""What the user is told when a rule says no: every domain error's reply, in one place.

The conversation (``Conversation._refusal``) rolls the turn back, records the update's
key and then asks this module for the reply, in a fresh unit of work that may read
(a member's name, a task's subtasks, the timer card) but changes nothing. No intent
catches a domain error itself: a refusal that an intent answered would either keep
half of the turn's changes or lose the update's key.
"""

from __future__ import annotations

import dataclasses
import re

from domain.approvals import ApprovalAlreadyDecided, ApprovalNotFound, ApprovalNotPermitted
from domain.crm import CrmNotFound, CrmNotPermitted, FormNotFound, InvalidLead
from domain.errors import DomainError, InvalidInput
from domain.timetracking import TimeError
from handlers.intents import timetracking
from handlers.turn import Turn
from handlers.types import Inbound, Reply

_APPROVAL_ERRORS = (ApprovalAlreadyDecided, ApprovalNotFound, ApprovalNotPermitted)
_APPROVAL_FIELDS = frozenset({"approver", "approval", "deputy", "dates"})
_CRM_ERRORS = (CrmNotFound, CrmNotPermitted, FormNotFound, InvalidLead)
_CRM_FIELDS = frozenset(
    {"lost_reason", "stage", "lead", "deal", "amount", "period", "crm_ref", "merge", "form"}
)
# What a /timesheet or /attendance query could not read (domain.timereports).
_REPORT_QUERY = frozenset({"report_args", "report_bad_date", "report_reversed", "report_too_long"})
# A leading task (or entry) number of a command: "12", "#12".
_LEADING_ID = re.compile(r"^\s*#?\d+\b\s*")


async def refusal_replies(turn: Turn, error: DomainError) -> list[Reply]:
    """The replies to ``error``; a refusal of a pressed button is a short alert on it."""
    if isinstance(error, TimeError):
        return await _time(turn, error)
    if isinstance(error, _APPROVAL_ERRORS) or _field_in(error, _APPROVAL_FIELDS):
        return [await _approval(turn, error)]
    crm = isinstance(error, _CRM_ERRORS) or _field_in(error, _CRM_FIELDS)
    template = "crm_error" if crm else "error"
    reply = turn.reply(
        template,
        error_code=error.code,
        params=error.params,
        text=kept_text(turn.inbound),
        pressed=turn.pressed,
    )
    return [_alert(turn, reply)]


def kept_text(inbound: Inbound) -> str | None:
    """What the user wrote that must not be lost: a message's text, or a command's
    text after its leading number when it is more than one word ("/comment 12 we
    called him"). A command's bare arguments ("/show 99999", "/accept 10 maybe") are
    not echoed back: the user has them on screen and retyping them costs nothing."""
    if inbound.command is None:
        return inbound.text or None
    rest = _LEADING_ID.sub("", inbound.args, count=1).strip()
    return rest if len(rest.split()) > 1 else None


def _field_in(error: DomainError, fields: frozenset[str]) -> bool:
    return isinstance(error, InvalidInput) and error.params.get("field") in fields


def _alert(turn: Turn, reply: Reply) -> Reply:
    return dataclasses.replace(reply, alert=turn.pressed)


async def _approval(turn: Turn, error: DomainError) -> Reply:
    """Who decided and when, or what is wrong with the request."""
    by = error.params.get("by")
    member = await turn.uow.members.get(int(by)) if by else None
    reply = turn.reply(
        "approval_error",
        error_code=error.code,
        params=error.params,
        by_name=member.name if member else None,
    )
    return _alert(turn, reply)


async def _time(turn: Turn, error: TimeError) -> list[Reply]:
    reason = str(error.params.get("reason") or "")
    if reason in _REPORT_QUERY:
        return [
            turn.reply(
                "time_report_error",
                reason=reason,
                p=error.params,
                command=turn.inbound.command or "timesheet",
                args=turn.inbound.args.strip(),
            )
        ]
    if reason in {"general", "tracking_off"}:
        return [await timetracking.refused(turn, error)]
    notice = _alert(turn, turn.reply("time_error", reason=reason, p=error.params))
    if timetracking.pressed_on_card(turn):
        # A stale press on the timer card: the card shows the timer as it is now.
        return [notice, await timetracking.timer_card(turn)]
    return [notice]
