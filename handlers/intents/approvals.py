"""Approvals in the chat: /request forms, decision cards, /approvals, /deputy.

The request types configured by the admin reach these handlers explicitly: the
composition root calls ``with_approval_types(table, catalog)``. The module-level
tables (used by ``default_intents``) know only the built-in types.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from babel.dates import format_date

from domain.approval_types import (
    ApprovalCatalog,
    ApprovalType,
    FieldSpec,
    FieldType,
    date_range_of,
    format_answer,
    parse_answer,
    parse_date_range,
)
from domain.approvals import ApprovalNotFound, ApprovalNotPermitted, SubjectKind, Verdict
from domain.errors import InvalidInput, MemberNotFound, TaskNotFound
from domain.ids import can_exist, parse_number
from domain.services import approvals as service
from domain.services.members import member_by_handle
from handlers.buttons import (
    Decide,
    NewRequest,
    OpenRequest,
    OpenTask,
    PickOption,
    SkipField,
    Withdraw,
)
from handlers.cards import card_reply
from handlers.intents.table import IntentTable
from handlers.personal import changes_privately, personal, with_args, without_args
from handlers.questionnaires import FilledForm, Form, FormField, FormOption
from handlers.questions import NotAnAnswer, PromptResult, confirmed, task_like
from handlers.rendering import label, money
from handlers.tokens import ButtonAction
from handlers.turn import Turn
from handlers.types import Button, Buttons, Reply

_FIELD_PROMPT, _COMMENT_PROMPT = "approval_field", "approval_comment"
# The /request form as a whole, for adapters that show forms (handlers.questionnaires).
FORM_COMMAND = "request_form"

Handler = Callable[..., Awaitable[list[Reply]]]


# -- the card ----------------------------------------------------------------------------------


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _type_of(request_type: str, spec: dict[str, Any]) -> ApprovalType:
    return ApprovalType.from_snapshot(request_type, spec)


def _answer_text(spec: FieldSpec, value: Any, lang: str) -> str:
    """An answer for the card; an amount as the member's language writes money, a day
    (a daily report's, kept as an ISO date in a text field) as it writes dates."""
    if spec.type is FieldType.AMOUNT and isinstance(value, dict) and "amount" in value:
        return money(value["amount"], value["currency"], lang)
    if spec.type is FieldType.DATE_RANGE and (days := date_range_of(value)) is not None:
        start, end = (format_date(d, "dd.MM.y", locale=lang) for d in days)
        return start if start == end else f"{start} – {end}"
    if spec.type is FieldType.TEXT and isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return format_date(date.fromisoformat(value), "EEE, dd.MM.y", locale=lang)
    return format_answer(spec, value, lang)


def approval_context(turn: Turn, view: service.ApprovalView) -> dict[str, Any]:
    """Everything the card template shows, already in the member's language."""
    request, names, lang = view.request, view.names, turn.lang
    rtype = _type_of(request.type_key, request.spec)
    rows = []
    for spec in rtype.fields:
        if spec.name in request.answers:
            value = request.answers[spec.name]
            rows.append(
                {
                    "label": spec.label.get(lang),
                    "type": spec.type.value,
                    "text": _answer_text(spec, value, lang),
                    "empty": value is None,
                }
            )
    history = [
        {
            "action": e.action,
            "at": e.at,
            "who": names.get(e.actor_id or 0, "") if e.actor_id else "",
            "behalf": names.get(e.on_behalf_of or 0) if e.on_behalf_of else None,
            "comment": _names_in(e.comment, names) if e.action == "escalated" else e.comment,
        }
        for e in request.events
        if e.action != "requested"
    ]
    return {
        "id": request.id,
        "title": rtype.title.get(lang),
        "type": request.type_key,
        "status": request.status.value,
        "requester": names.get(request.requester_id, "?"),
        "rows": rows,
        "history": history,
        "approvers": [names.get(m, "?") for m in sorted(request.current_approvers)],
        "step": request.current_step + 1,
        "steps": len(request.steps),
        "due_at": request.due_at if request.is_pending else None,
        "created_at": request.created_at,
        "decided_by": names.get(request.decided_by or 0) if request.decided_by else None,
        "decided_at": request.decided_at,
        "task_id": request.subject.ref if request.subject.kind is SubjectKind.TASK else None,
        # A daily report's per-task summary (domain.services.timetracking.report_summary).
        "report": request.answers.get("_report"),
    }


def _names_in(ids: str | None, names: dict[int, str]) -> str:
    """An escalation event lists member ids; the card shows their names."""
    found = [names.get(int(i), "?") for i in (ids or "").split(",") if i.strip().isdigit()]
    return ", ".join(found)


def _decision_label(
    turn: Turn, rtype: ApprovalType, verdict: Verdict
) -> tuple[str, dict[str, Any]]:
    custom = rtype.label(verdict, turn.lang)
    if custom:
        return "approval.custom", {"text": custom}
    return f"approval.{verdict.value}", {}


def _card_buttons(turn: Turn, view: service.ApprovalView) -> Buttons:
    request = view.request
    request_id = request.id
    rtype = _type_of(request.type_key, request.spec)
    rows: list[tuple[Button, ...]] = []
    if view.can_decide:
        row = []
        for verdict in Verdict:
            key, params = _decision_label(turn, rtype, verdict)
            row.append(turn.button(key, Decide(request_id, verdict), **params))
        rows.append(tuple(row))
    if view.can_withdraw:
        rows.append((turn.button("approval.withdraw", Withdraw(request_id)),))
    return tuple(rows)


async def card(turn: Turn, request_id: int, *, notice: str | None = None) -> Reply:
    """The request card; edits the pressed message in place when a button caused it."""
    view = await service.view_request(turn.uow, turn.me, request_id, turn.now)
    return turn.edit(
        "approval_card",
        _card_buttons(turn, view),
        approval=approval_context(turn, view),
        notice=notice,
    )


async def notification_reply(
    turn: Turn, kind: str, data: dict[str, Any], actor: str
) -> Reply | None:
    """An outbox row about a request, rendered for its recipient; None when it is moot."""
    try:
        view = await service.view_request(turn.uow, turn.me, int(data["request_id"]), turn.now)
    except ApprovalNotFound:
        return None
    request = view.request
    if kind != service.DECIDED and kind != service.EXPIRED and not request.is_pending:
        return None  # a reminder or a card for something already decided: nothing to do
    extra = {"kind": kind, "actor": actor, "data": data}
    if request.subject.kind is SubjectKind.TASK and request.subject.ref is not None:
        try:
            task_card = await card_reply(turn, request.subject.ref)
        except TaskNotFound:
            pass
        else:
            return dataclasses.replace(
                task_card,
                template="notification",
                context={**task_card.context, **extra},
                edit=False,
                to_member=turn.me.id,
            )
    reply = turn.reply(
        "notification",
        _card_buttons(turn, view),
        approval=approval_context(turn, view),
        notice=None,
        **extra,
    )
    return dataclasses.replace(reply, to_member=turn.me.id)


# -- the intents -------------------------------------------------------------------------------


class ApprovalIntents:
    """The /request, /approvals, /deputy commands and the approval buttons and prompts."""

    def __init__(self, catalog: ApprovalCatalog) -> None:
        self.catalog = catalog
        self.commands: dict[str, Handler] = {
            "request": self.request_command,
            FORM_COMMAND: self.request_form_command,
            "approvals": personal("approvals", self.approvals_command),
            "approval": personal("approval", self.approval_command),
            "deputy": changes_privately(
                "deputy", personal("deputy", self.deputy_command, without_args), with_args
            ),
        }
        self.actions: dict[type[ButtonAction], Handler] = {
            NewRequest: self.new_pressed,
            PickOption: self.choice_pressed,
            SkipField: self.skip_pressed,
            Decide: self.decide_pressed,
            OpenRequest: self.open_pressed,
            Withdraw: self.withdraw_pressed,
        }
        self.prompts: dict[str, Callable[..., Awaitable[PromptResult]]] = {
            _FIELD_PROMPT: self.field_answer,
            _COMMENT_PROMPT: self.comment_answer,
        }

    # -- filing ------------------------------------------------------------------------
    def _types_reply(self, turn: Turn, unknown: str | None = None) -> Reply:
        types = self.catalog.requestable()
        buttons = tuple(
            (turn.button("approval.type", NewRequest(t.key), title=t.title.get(turn.lang)),)
            for t in types
        )
        return turn.reply(
            "approval_types",
            buttons,
            types=[(t.key, t.title.get(turn.lang)) for t in types],
            unknown=unknown,
        )

    async def request_command(self, turn: Turn) -> list[Reply]:
        """/request — the types; /request <type> — fill in the form field by field."""
        key = turn.inbound.args.strip().lower()
        if not key:
            return [self._types_reply(turn)]
        return await self._start(turn, key)

    async def new_pressed(self, turn: Turn, pressed: NewRequest) -> list[Reply]:
        return await self._start(turn, pressed.type_key)

    async def _start(self, turn: Turn, key: str) -> list[Reply]:
        rtype = self.catalog.requestable_type(key)
        if rtype is None:
            return [self._types_reply(turn, unknown=key)]
        if turn.me.is_extranet:
            raise ApprovalNotPermitted(action="request")
        return await self._next(turn, rtype, {}, 0)

    async def _next(
        self, turn: Turn, rtype: ApprovalType, answers: dict[str, Any], index: int
    ) -> list[Reply]:
        if index >= len(rtype.fields):
            request = await service.file_request(turn.uow, turn.me, rtype, answers, turn.now)
            return [dataclasses.replace(await card(turn, request.id, notice="sent"), edit=False)]
        return [await self._ask(turn, rtype, answers, index)]

    async def _ask(
        self,
        turn: Turn,
        rtype: ApprovalType,
        answers: dict[str, Any],
        index: int,
        error: dict[str, Any] | None = None,
    ) -> Reply:
        spec = rtype.fields[index]
        rows: list[tuple[Button, ...]] = []
        if spec.type is FieldType.CHOICE:
            options = [
                turn.button("approval.option", PickOption(n), text=o.label.get(turn.lang))
                for n, o in enumerate(spec.options)
            ]
            rows += [tuple(options[i : i + 2]) for i in range(0, len(options), 2)]
        if not spec.required:
            rows.append((turn.button("approval.skip", SkipField()),))
        so_far = [
            (f.label.get(turn.lang), f.type.value, _answer_text(f, answers[f.name], turn.lang))
            for f in rtype.fields[:index]
            if f.name in answers
        ]
        return await turn.ask_for(
            _FIELD_PROMPT,
            {"type": rtype.key, "answers": answers, "index": index},
            "approval_field_ask",
            tuple(rows),
            title=rtype.title.get(turn.lang),
            label=spec.label.get(turn.lang),
            ftype=spec.type.value,
            required=spec.required,
            number=index + 1,
            total=len(rtype.fields),
            currencies=", ".join(spec.currencies),
            options=[o.label.get(turn.lang) for o in spec.options],
            so_far=so_far,
            error=error,
        )

    def _form(self, data: dict[str, Any]) -> tuple[ApprovalType, dict[str, Any], int]:
        rtype = self.catalog.requestable_type(str(data.get("type")))
        if rtype is None:
            raise InvalidInput(field="approval", reason="type_gone", value=data.get("type"))
        return rtype, dict(data.get("answers") or {}), int(data.get("index") or 0)

    async def field_answer(self, turn: Turn, data: dict[str, Any], text: str) -> PromptResult:
        """One answer; a mistyped one is asked again with the reason, keeping earlier
        answers. A text field takes any text; for the others a task-like sentence ("Buy
        paper tomorrow") is not an answer, even when a date in it would fit."""
        rtype, _, index = self._form(data)
        spec = rtype.fields[index]
        if spec.type is not FieldType.TEXT and text.strip() and not confirmed(data):
            attachments = [(a.kind, a.ref) for a in turn.inbound.attachments]
            today = service.local_today(turn.me, turn.now)
            try:
                value = parse_answer(spec, text, attachments, today)
            except InvalidInput as error:
                # A mistyped answer is asked again with the reason (below); a task is not one.
                # Dates read whole but wrong ("od 23 do 21 grudnia") are a mistyped answer.
                dates_read = error.params.get("reason") in ("end_before_start", "too_long_range")
                if not dates_read and task_like(turn, text):
                    return NotAnAnswer(
                        reason="question.why.field", params={"label": spec.label.get(turn.lang)}
                    )
            else:
                # A range read whole has nothing left for a title: "from December 21 to 23"
                # is a clean answer, though the task grammar sees a deadline in it.
                if spec.type is not FieldType.DATE_RANGE and task_like(turn, text):
                    shown = _answer_text(spec, value, turn.lang)
                    # "field", not "label": a button's own label is its first argument
                    params = {"field": spec.label.get(turn.lang)[:24], "value": shown[:24]}
                    return NotAnAnswer(answer=("question.as_field", params))
        return await self._field_answered(turn, data, text)

    async def _field_answered(self, turn: Turn, data: dict[str, Any], text: str) -> list[Reply]:
        rtype, answers, index = self._form(data)
        spec = rtype.fields[index]
        attachments = [(a.kind, a.ref) for a in turn.inbound.attachments]
        try:
            value = parse_answer(spec, text, attachments, service.local_today(turn.me, turn.now))
        except InvalidInput as error:
            return [await self._ask(turn, rtype, answers, index, error=error.params)]
        answers[spec.name] = value
        return await self._next(turn, rtype, answers, index + 1)

    async def _pending_form(self, turn: Turn) -> tuple[ApprovalType, dict[str, Any], int] | None:
        pending = await turn.uow.prompts.get(turn.me.id)
        if pending is None or pending[0] != _FIELD_PROMPT:
            return None
        await turn.uow.prompts.clear(turn.me.id)
        return self._form(pending[1])

    async def choice_pressed(self, turn: Turn, pressed: PickOption) -> list[Reply]:
        form = await self._pending_form(turn)
        if form is None:
            return [self._types_reply(turn)]
        rtype, answers, index = form
        spec = rtype.fields[index]
        number = pressed.number
        if spec.type is not FieldType.CHOICE or not 0 <= number < len(spec.options):
            return [await self._ask(turn, rtype, answers, index)]
        answers[spec.name] = spec.options[number].value
        return await self._next(turn, rtype, answers, index + 1)

    async def skip_pressed(self, turn: Turn, pressed: SkipField) -> list[Reply]:
        form = await self._pending_form(turn)
        if form is None:
            return [self._types_reply(turn)]
        rtype, answers, index = form
        spec = rtype.fields[index]
        if spec.required:
            return [await self._ask(turn, rtype, answers, index)]
        answers[spec.name] = None
        return await self._next(turn, rtype, answers, index + 1)

    # -- filing as one form ---------------------------------------------------------------
    async def request_form_command(self, turn: Turn) -> list[Reply]:
        """The /request form all at once (handlers.questionnaires): a type name asks for its form,
        nothing asks to pick a type; a filled form is checked, then files the request.

        Each answer goes through the same ``parse_answer`` as a typed one: a refused
        answer comes back as the form with that field's error, the others kept."""
        args = turn.inbound.args.strip()
        filled = FilledForm.load(args)
        if filled is None:
            return [self._form_or_types(turn, args.lower())]
        if filled.data.get("pick"):
            return [self._form_or_types(turn, filled.answers.get("type", "").strip().lower())]
        return await self._filled(turn, filled)

    def _form_or_types(self, turn: Turn, key: str) -> Reply:
        if turn.me.is_extranet:
            raise ApprovalNotPermitted(action="request")
        types = self.catalog.requestable()
        if not key and len(types) == 1:
            key = types[0].key
        if not key:
            return self._pick_form(turn, types)
        rtype = self.catalog.requestable_type(key)
        if rtype is None:
            return self._types_reply(turn, unknown=key)
        return self._form_reply(turn, rtype, {})

    def _pick_form(self, turn: Turn, types: list[ApprovalType]) -> Reply:
        """The type to file, as a one-question form (a plain list where forms are not shown)."""
        reply = self._types_reply(turn)
        if not types:
            return reply
        lang = turn.lang
        picker = FormField(
            "type",
            "choice",
            label(lang, "approval.form.pick_label"),
            options=tuple(FormOption(t.key, t.title.get(lang)) for t in types),
        )
        form = Form(
            FORM_COMMAND,
            {"pick": True},
            label(lang, "approval.form.pick_title"),
            (picker,),
            final=False,
        )
        return dataclasses.replace(reply, context={**reply.context, "form": form})

    def _form_reply(
        self,
        turn: Turn,
        rtype: ApprovalType,
        errors: dict[str, dict[str, Any]],
        *,
        valid: bool = False,
    ) -> Reply:
        lang = turn.lang
        fields = tuple(
            FormField(
                spec.name,
                spec.type.value,
                spec.label.get(lang),
                spec.required,
                # Options are sent back by number, which parse_answer reads unambiguously.
                tuple(FormOption(str(n), o.label.get(lang)) for n, o in enumerate(spec.options, 1)),
                spec.currencies if spec.type is FieldType.AMOUNT else (),
                spec.max_length,
                turn.reply("approval_field_error", error=errors[spec.name])
                if spec.name in errors
                else None,
            )
            for spec in rtype.fields
        )
        form = Form(FORM_COMMAND, {"type": rtype.key}, rtype.title.get(lang), fields, valid=valid)
        return turn.reply("approval_form", form=form, key=rtype.key)

    async def _filled(self, turn: Turn, filled: FilledForm) -> list[Reply]:
        rtype = self.catalog.requestable_type(str(filled.data.get("type")))
        if rtype is None:
            raise InvalidInput(field="approval", reason="type_gone", value=filled.data.get("type"))
        if turn.me.is_extranet:
            raise ApprovalNotPermitted(action="request")
        today = service.local_today(turn.me, turn.now)
        answers: dict[str, Any] = {}
        errors: dict[str, dict[str, Any]] = {}
        for spec in rtype.fields:
            text = filled.answers.get(spec.name, "").strip()
            files = list(filled.files.get(spec.name, ()))
            if not text and not files:
                if spec.required:
                    errors[spec.name] = {
                        "field": spec.name,
                        "type": spec.type.value,
                        "reason": "photo_needed" if spec.type is FieldType.PHOTO else "empty",
                    }
                else:
                    answers[spec.name] = None
                continue
            try:
                answers[spec.name] = parse_answer(spec, text, files, today)
            except InvalidInput as error:
                errors[spec.name] = dict(error.params)
        if errors or filled.check:
            return [self._form_reply(turn, rtype, errors, valid=not errors)]
        request = await service.file_request(turn.uow, turn.me, rtype, answers, turn.now)
        return [dataclasses.replace(await card(turn, request.id, notice="sent"), edit=False)]

    # -- deciding ----------------------------------------------------------------------
    async def decide_pressed(self, turn: Turn, pressed: Decide) -> list[Reply]:
        """Approve at once; Return and Reject ask for the comment first."""
        request_id, verdict = pressed.request_id, pressed.verdict
        if verdict is Verdict.APPROVE:
            await service.decide(turn.uow, turn.me, request_id, verdict, None, turn.now)
            return [await card(turn, request_id, notice="approve")]
        await service.check_decider(turn.uow, turn.me, request_id, verdict, turn.now)
        return [
            await turn.ask_for(
                _COMMENT_PROMPT,
                {"request_id": request_id, "verdict": verdict.value},
                "approval_comment_ask",
                request_id=request_id,
                verdict=verdict.value,
            )
        ]

    async def comment_answer(self, turn: Turn, data: dict[str, Any], text: str) -> list[Reply]:
        request_id, verdict = int(data["request_id"]), Verdict(str(data["verdict"]))
        if not text.strip():
            await service.check_decider(turn.uow, turn.me, request_id, verdict, turn.now)
            return [
                await turn.ask_for(
                    _COMMENT_PROMPT,
                    data,
                    "approval_comment_ask",
                    request_id=request_id,
                    verdict=verdict.value,
                    again=True,
                )
            ]
        await service.decide(turn.uow, turn.me, request_id, verdict, text, turn.now)
        return [await card(turn, request_id, notice=verdict.value)]

    async def withdraw_pressed(self, turn: Turn, pressed: Withdraw) -> list[Reply]:
        request_id = pressed.request_id
        await service.withdraw(turn.uow, turn.me, request_id, turn.now)
        return [await card(turn, request_id, notice="withdrawn")]

    # -- reading -----------------------------------------------------------------------
    async def approvals_command(self, turn: Turn) -> list[Reply]:
        """/approvals — what awaits my decision (as an approver or a deputy);
        /approvals requests — only filed requests, without task acceptance."""
        requests = await service.awaiting_my_decision(turn.uow, turn.me, turn.now)
        if turn.inbound.args.strip().lower() == "requests":
            requests = [r for r in requests if r.subject.kind is not SubjectKind.TASK]
        items, rows = [], []
        for request in requests:
            rtype = _type_of(request.type_key, request.spec)
            requester = await turn.uow.members.get(request.requester_id)
            title = rtype.title.get(turn.lang)
            items.append(
                {
                    "id": request.id,
                    "title": title,
                    "type": request.type_key,
                    "requester": requester.name if requester else "?",
                    "created_at": request.created_at,
                    "task_id": request.subject.ref,
                }
            )
            if request.subject.kind is SubjectKind.TASK:
                task_id = request.subject.ref
                task_button = turn.button(
                    "btn.open", OpenTask(task_id or 0), id=task_id, title=title[:40]
                )
                rows.append((task_button,))
            else:
                rows.append(
                    (
                        turn.button(
                            "approval.open",
                            OpenRequest(request.id),
                            id=request.id,
                            title=title[:40],
                        ),
                    )
                )
        return [turn.reply("approval_list", tuple(rows), items=items)]

    async def open_pressed(self, turn: Turn, pressed: OpenRequest) -> list[Reply]:
        return [dataclasses.replace(await card(turn, pressed.request_id), edit=False)]

    async def approval_command(self, turn: Turn) -> list[Reply]:
        """/approval 12 — open a request card."""
        raw = turn.inbound.args.strip().lstrip("#")
        number = parse_number(raw)
        if number is None:
            return await self.approvals_command(turn)
        if not can_exist(number):
            raise ApprovalNotFound(request_id=raw)
        return [await card(turn, number)]

    # -- deputies ----------------------------------------------------------------------
    async def deputy_command(self, turn: Turn) -> list[Reply]:
        """/deputy @handle 01.12-05.12 · /deputy (show) · /deputy off"""
        args = turn.inbound.args.strip()
        me = turn.me
        if not args:
            current = await turn.uow.approvals.deputy_of(me.id)
            name = None
            if current is not None:
                person = await turn.uow.members.get(current.deputy_id)
                name = person.name if person else "?"
            return [turn.reply("approval_deputy", state="show", deputy=current, name=name)]
        if args.lower() in {"off", "none", "-"}:
            await turn.uow.approvals.clear_deputy(me.id)
            return [turn.reply("approval_deputy", state="off", deputy=None, name=None)]
        handle, _, dates = args.partition(" ")
        if not handle.startswith("@") or not dates.strip():
            raise InvalidInput(field="deputy", reason="usage")
        try:
            member = await member_by_handle(turn.uow, me.company_id, handle)
        except MemberNotFound as error:
            raise InvalidInput(field="deputy", reason="unknown", value=handle) from error
        start, end = parse_date_range(
            dates, service.local_today(me, turn.now), {"field": "dates", "type": "date_range"}
        )
        deputy = await service.set_deputy(turn.uow, me, member.id, start, end, turn.now)
        return [turn.reply("approval_deputy", state="set", deputy=deputy, name=member.name)]


def with_approval_types(table: IntentTable, catalog: ApprovalCatalog) -> IntentTable:
    """The intent table with the approval intents bound to the configured request types."""
    bound = ApprovalIntents(catalog)
    return dataclasses.replace(
        table,
        commands={**table.commands, **bound.commands},
        actions={**table.actions, **bound.actions},
        prompts={**table.prompts, **bound.prompts},
    )


_BUILTIN_ONLY = ApprovalIntents(ApprovalCatalog())
COMMANDS = _BUILTIN_ONLY.commands
ACTIONS = _BUILTIN_ONLY.actions
PROMPTS = _BUILTIN_ONLY.prompts
