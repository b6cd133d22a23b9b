"""Modals: Block Kit builders, their private metadata, and typed reads of their state.

Three modals; the first two have one multiline input:

* ``brygada_answer`` — a conversation question (Done's result, 👎's reason, Return's
  reason, a comment) asked after a button press. Its private metadata remembers the
  channel and ``ts`` of the pressed card so the answer's replies update that card.
* ``brygada_new_task`` — the "Create task from message" shortcut: the message text,
  editable, and where the message is (channel and ``ts``; the permalink is asked for
  on submit, so nothing slow happens before ``views.open``).
* ``brygada_form`` — a conversation form (handlers.questionnaires, e.g. ``/request leave``): one
  input per field (a date range has two datepickers, an amount a number and a currency),
  read back as the text the user would have typed, so the handler validates it the
  same way; refused answers are marked on their blocks and the rest stays as typed.

The chrome of a modal (title, Send/Cancel, the input label) is the adapter's own and
comes from handlers/labels.py (slack.*); the question itself is the conversation's rendered reply.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bots.slack.blocks import MAX_VIEW_BLOCKS, Block, section, split_mrkdwn
from domain.capture import parse_task
from domain.company import LANGUAGES
from handlers.questionnaires import FilledForm, Form, FormField
from handlers.rendering import Rendered, label
from handlers.types import Reply

log = logging.getLogger(__name__)

ANSWER_VIEW = "brygada_answer"
NEW_TASK_VIEW = "brygada_new_task"
ANSWER_BLOCK, ANSWER_INPUT = "answer", "text"
TASK_BLOCK, TASK_INPUT = "task", "text"

MAX_VIEW_TITLE = 24
MAX_INPUT_VALUE = 3000
MAX_MODAL_SECTIONS = 10

View = dict[str, Any]


def chrome(lang: str | None, key: str) -> str:
    """The adapter's own words (modal titles, buttons), from handlers/labels.py."""
    return label(language_of(lang), f"slack.{key}")


def language_of(locale: str | None) -> str:
    """Slack's ``en-US`` -> ``en`` when the adapter has words for it."""
    lang = (locale or "en").split("-")[0].lower()
    return lang if lang in LANGUAGES else "en"


# -- private metadata ---------------------------------------------------------------------


@dataclass(frozen=True)
class ModalContext:
    """What a modal remembers: a message (the pressed card, or the message a shortcut
    was used on) as channel and ``ts``, and the language of the modal's words."""

    channel: str | None
    message_ts: str | None
    lang: str

    def dump(self) -> str:
        return json.dumps({"c": self.channel, "ts": self.message_ts, "l": self.lang})

    @classmethod
    def load(cls, metadata: str | None) -> ModalContext:
        data = _json_object(metadata)
        return cls(
            channel=_str_or_none(data.get("c")),
            message_ts=_str_or_none(data.get("ts")),
            lang=language_of(str(data.get("l") or "en")),
        )


def _json_object(metadata: str | None) -> dict[str, Any]:
    try:
        data = json.loads(metadata or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _str_or_none(value: Any) -> str | None:
    return str(value) if value else None


# -- builders -----------------------------------------------------------------------------


def answer_modal(question: Rendered, context: ModalContext) -> View:
    """The question as the modal's text, one multiline input for the answer."""
    lang = context.lang
    blocks: list[Block] = [section(c) for c in split_mrkdwn(question.text)][:MAX_MODAL_SECTIONS]
    blocks.append(_input(ANSWER_BLOCK, ANSWER_INPUT, chrome(lang, "answer_label")))
    return _modal(
        ANSWER_VIEW,
        chrome(lang, "answer_title"),
        chrome(lang, "submit"),
        lang,
        blocks,
        context.dump(),
    )


def new_task_modal(message_text: str, context: ModalContext) -> View:
    """The message text, editable, with the title the capture grammar sees in it."""
    lang = context.lang
    blocks: list[Block] = []
    title = title_preview(message_text)
    if title:
        blocks.append(section(f"*{chrome(lang, 'title_preview')}:* {_mrkdwn_escape(title)}"))
    blocks.append(
        _input(
            TASK_BLOCK,
            TASK_INPUT,
            chrome(lang, "task_label"),
            initial_value=message_text[:MAX_INPUT_VALUE],
            hint=chrome(lang, "task_hint"),
        )
    )
    return _modal(
        NEW_TASK_VIEW,
        chrome(lang, "task_title"),
        chrome(lang, "create"),
        lang,
        blocks,
        context.dump(),
    )


def title_preview(text: str) -> str:
    """The task title the text would get (a preview; the conversation parses it again
    with the member's zone and company, so only the title is shown, not a deadline)."""
    if not text.strip():
        return ""
    return parse_task(text, now=datetime.now(UTC), tz="UTC").title.strip()


def _modal(
    callback_id: str, title: str, submit: str, lang: str, blocks: list[Block], metadata: str
) -> View:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": _plain(title, MAX_VIEW_TITLE),
        "submit": _plain(submit, MAX_VIEW_TITLE),
        "close": _plain(chrome(lang, "close"), MAX_VIEW_TITLE),
        "notify_on_close": callback_id == ANSWER_VIEW,
        "private_metadata": metadata,
        "blocks": blocks,
    }


def _input(
    block_id: str,
    action_id: str,
    label: str,
    *,
    initial_value: str | None = None,
    hint: str | None = None,
) -> Block:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": action_id,
        "multiline": True,
        "max_length": MAX_INPUT_VALUE,
    }
    if initial_value:
        element["initial_value"] = initial_value
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label, 2000),
        "element": element,
    }
    if hint:
        block["hint"] = _plain(hint, 2000)
    return block


def _plain(text: str, limit: int) -> dict[str, Any]:
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return {"type": "plain_text", "text": text, "emoji": True}


def _mrkdwn_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- reading a submission -----------------------------------------------------------------


def input_value(view: Mapping[str, Any], block_id: str, action_id: str) -> str:
    """The stripped text of one ``plain_text_input`` of a submitted view ("" when absent)."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, Mapping) else None
    block = values.get(block_id) if isinstance(values, Mapping) else None
    field = block.get(action_id) if isinstance(block, Mapping) else None
    value = field.get("value") if isinstance(field, Mapping) else None
    return value.strip() if isinstance(value, str) else ""


def empty_input_errors(block_id: str, lang: str) -> dict[str, str]:
    """The ``errors`` of ``response_action: errors`` for an empty required input."""
    return {block_id: chrome(lang, "empty")}


# -- forms (handlers.questionnaires): a whole questionnaire in one modal ----------------------

FORM_VIEW = "brygada_form"
FORM_ACTION = "value"
# Extra inputs of one field: ``<name>.to`` (a date range's last day), ``<name>.currency``.
# Field names are [a-z0-9_], so the dot never clashes with a name.
PART_TO, PART_CURRENCY = "to", "currency"
MAX_LABEL = 2000
MAX_PLACEHOLDER = 150
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_OPTIONS = 100
MAX_ERROR = 1000
PHOTO_TYPES = ("jpg", "jpeg", "png", "gif", "heic", "webp", "pdf")


@dataclass(frozen=True)
class FormContext:
    """What a form modal remembers: the command its submission is sent as, the form's
    data for the handler, and the language of the modal's words."""

    command: str
    data: Mapping[str, Any]
    lang: str

    def dump(self) -> str:
        return json.dumps({"cmd": self.command, "d": dict(self.data), "l": self.lang})

    @classmethod
    def load(cls, metadata: str | None) -> FormContext:
        raw = _json_object(metadata)
        data = raw.get("d")
        return cls(
            command=str(raw.get("cmd") or ""),
            data=data if isinstance(data, dict) else {},
            lang=language_of(str(raw.get("l") or "en")),
        )


def form_modal(form: Form, lang: str) -> View:
    """The form as one modal: an input block (or two) per field, in the form's order."""
    blocks: list[Block] = []
    for form_field in form.fields:
        blocks.extend(_field_blocks(form_field, lang))
    if len(blocks) > MAX_VIEW_BLOCKS:
        log.warning("form %r cut to %d blocks", form.title, MAX_VIEW_BLOCKS)
        blocks = blocks[:MAX_VIEW_BLOCKS]
    context = FormContext(form.command, form.data, lang)
    submit = chrome(lang, "submit") if form.final else chrome(lang, "form.next")
    view = _modal(FORM_VIEW, form.title, submit, lang, blocks, context.dump())
    view["notify_on_close"] = False
    return view


def _field_blocks(form_field: FormField, lang: str) -> list[Block]:
    name, text = form_field.name, form_field.label
    element: dict[str, Any]
    extra: list[Block] = []
    match form_field.kind:
        case "date_range":
            element = {
                "type": "datepicker",
                "placeholder": _plain(chrome(lang, "form.first_day"), MAX_PLACEHOLDER),
            }
            extra.append(
                _form_input(
                    f"{name}.{PART_TO}",
                    f"{text} — {chrome(lang, 'form.last_day')}",
                    {"type": "datepicker"},
                    optional=True,
                )
            )
        case "amount":
            element = {"type": "number_input", "is_decimal_allowed": True, "min_value": "0.01"}
            currencies = form_field.currencies[:MAX_OPTIONS]
            if len(currencies) == 1:
                text = f"{text} ({currencies[0]})"
            elif currencies:
                extra.append(
                    _form_input(
                        f"{name}.{PART_CURRENCY}",
                        f"{text} — {chrome(lang, 'form.currency')}",
                        _select([(c, c) for c in currencies], lang, initial=currencies[0]),
                        optional=not form_field.required,
                    )
                )
        case "choice":
            options = [(o.value, o.label) for o in form_field.options]
            if len(options) > MAX_OPTIONS:
                log.warning("field %r: only the first %d options are shown", name, MAX_OPTIONS)
            element = _select(options[:MAX_OPTIONS], lang)
        case "photo":
            element = {"type": "file_input", "filetypes": list(PHOTO_TYPES), "max_files": 1}
        case _:
            limit = max(1, min(form_field.max_length, MAX_INPUT_VALUE))
            element = {"type": "plain_text_input", "multiline": limit > 150, "max_length": limit}
    main = _form_input(name, text, element, optional=not form_field.required)
    return [main, *extra]


def _form_input(block_id: str, text: str, element: dict[str, Any], *, optional: bool) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "label": _plain(text, MAX_LABEL),
        "optional": optional,
        "element": {**element, "action_id": FORM_ACTION},
    }


def _select(
    options: list[tuple[str, str]], lang: str, *, initial: str | None = None
) -> dict[str, Any]:
    built = [
        {"text": _plain(text or value, MAX_OPTION_TEXT), "value": value[:MAX_OPTION_VALUE]}
        for value, text in options
    ]
    element: dict[str, Any] = {
        "type": "static_select",
        "placeholder": _plain(chrome(lang, "form.pick"), MAX_PLACEHOLDER),
        "options": built,
    }
    chosen = next((o for o in built if o["value"] == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def filled_form(view: Mapping[str, Any], context: FormContext) -> FilledForm:
    """A submitted form modal as the answers a user would have typed: a date range as
    ``2026-12-01 2026-12-05``, an amount as ``45.50 EUR``, a choice as its value;
    uploaded files by field."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, Mapping) else None
    parts: dict[str, dict[str, str]] = {}
    files: dict[str, list[tuple[str, str]]] = {}
    for block_id, actions in (values if isinstance(values, Mapping) else {}).items():
        element = actions.get(FORM_ACTION) if isinstance(actions, Mapping) else None
        if not isinstance(element, Mapping):
            continue
        name, _, part = str(block_id).partition(".")
        if element.get("type") == "file_input":
            files[name] = [
                (_file_kind(f), str(f["id"]))
                for f in element.get("files") or ()
                if isinstance(f, Mapping) and f.get("id")
            ]
            continue
        parts.setdefault(name, {})[part] = _element_text(element)
    answers: dict[str, str] = {}
    for name, found in parts.items():
        main = found.get("", "")
        if PART_CURRENCY in found:
            answers[name] = f"{main} {found[PART_CURRENCY]}".strip() if main else ""
        else:
            answers[name] = " ".join(p for p in (main, found.get(PART_TO, "")) if p)
    return FilledForm(context.data, answers, files)


def _element_text(element: Mapping[str, Any]) -> str:
    kind = element.get("type")
    if kind == "datepicker":
        value = element.get("selected_date")
    elif kind in ("static_select", "radio_buttons"):
        option = element.get("selected_option")
        value = option.get("value") if isinstance(option, Mapping) else None
    else:
        value = element.get("value")
    return value.strip() if isinstance(value, str) else ""


def _file_kind(file: Mapping[str, Any]) -> str:
    mimetype = str(file.get("mimetype") or "")
    return "photo" if mimetype.startswith("image/") else "document"


def form_errors(form: Form, render: Callable[[Reply], str]) -> dict[str, str]:
    """The ``errors`` of ``response_action: errors``: each refused field's reason, on its
    first input block."""
    errors: dict[str, str] = {}
    for form_field in form.fields:
        if form_field.error is not None:
            message = render(form_field.error).strip() or "?"
            errors[form_field.name] = message[:MAX_ERROR]
    return errors
