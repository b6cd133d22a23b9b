"""Questionnaires (forms): a whole questionnaire at once, for adapters that can show one
(a Slack modal).

A handler offers a form by returning a Reply whose context holds ``form`` (a
:class:`Form`); its template renders the form as a plain message for adapters that
show no forms. The adapter sends a filled form back as the command ``Form.command``
with a :class:`FilledForm` as JSON in the args: every answer as the text a user would
have typed (the handler parses and validates it exactly as it parses typed answers)
and files by field. The handler answers with:

* the same form with an ``error`` on each refused field (the adapter marks them and
  keeps the user's input);
* the same form marked ``valid`` when ``check`` was asked and nothing is wrong (the
  adapter then sends it again, without ``check``, under an update key: only a
  complete submission is ever deduplicated);
* another form (the next step, e.g. the form of the request type just picked);
* or ordinary replies (the result, a refusal).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from handlers.types import Reply

FORM_KEY = "form"

FieldKind = Literal["text", "date_range", "amount", "choice", "photo"]


@dataclass(frozen=True)
class FormOption:
    value: str
    label: str


@dataclass(frozen=True)
class FormField:
    """One question; ``label`` is already in the member's language. ``error`` is a Reply
    (template and context) saying why the last answer was refused."""

    name: str
    kind: FieldKind
    label: str
    required: bool = True
    options: tuple[FormOption, ...] = ()
    currencies: tuple[str, ...] = ()
    max_length: int = 2000
    error: Reply | None = None


@dataclass(frozen=True)
class Form:
    """``command`` and ``data`` come back with the filled form (``data`` is JSON);
    ``final`` is False for a step that leads to another form (its button says Next)."""

    command: str
    data: Mapping[str, Any]
    title: str
    fields: tuple[FormField, ...]
    valid: bool = False
    final: bool = True

    @property
    def has_errors(self) -> bool:
        return any(f.error is not None for f in self.fields)


@dataclass(frozen=True)
class FilledForm:
    """A submitted form: answers as typed text, files as (kind, platform ref) pairs."""

    data: Mapping[str, Any]
    answers: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, Sequence[tuple[str, str]]] = field(default_factory=dict)
    check: bool = False

    def dump(self) -> str:
        return json.dumps(
            {
                "form": dict(self.data),
                "answers": dict(self.answers),
                "files": {k: [list(f) for f in v] for k, v in self.files.items()},
                "check": self.check,
            },
            ensure_ascii=False,
            separators=(",", ":"),
            sort_keys=True,
        )

    @classmethod
    def load(cls, text: str) -> FilledForm | None:
        """The filled form in ``text``; None when it is not one (e.g. a bare type name)."""
        if not text.lstrip().startswith("{"):
            return None
        try:
            raw = json.loads(text)
        except ValueError:
            return None
        if not isinstance(raw, dict) or not isinstance(raw.get("form"), dict):
            return None
        answers: dict[str, Any] = raw["answers"] if isinstance(raw.get("answers"), dict) else {}
        files_raw: dict[str, Any] = raw["files"] if isinstance(raw.get("files"), dict) else {}
        files = {
            str(name): [
                (str(f[0]), str(f[1]))
                for f in items
                if isinstance(f, list) and len(f) == 2 and all(isinstance(x, str) for x in f)
            ]
            for name, items in files_raw.items()
            if isinstance(items, list)
        }
        return cls(
            data=raw["form"],
            answers={str(k): str(v) for k, v in answers.items() if isinstance(v, str | int)},
            files=files,
            check=raw.get("check") is True,
        )


def form_of(reply: Reply) -> Form | None:
    found = reply.context.get(FORM_KEY)
    return found if isinstance(found, Form) else None
