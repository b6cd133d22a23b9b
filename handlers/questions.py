"""Open questions: what answers them, what leaves them, and what happens to a message that
does not answer them cleanly.

DESIGN: an open question (which deadline? which person?) never consumes a message that is
not a clean answer; ``/cancel`` always works; questions expire.

- Each prompt handler decides what a clean answer to its question is. A text that is not
  one comes back as ``NotAnAnswer`` instead of being taken: the text is held (durably, in
  the prompt store) and the member picks what it was — the answer after all, a new task,
  or nothing — with buttons. The question stays open meanwhile.
- ``/cancel``, a Cancel button on every question, and "cancel" / "anuluj" / "отмена" typed
  as the answer close the question. Any other command closes it too, and says so.
- A question is open for ``ConversationConfig.question_ttl``; later messages are
  ordinary messages again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from domain.capture import parse_task
from domain.company import Member
from domain.errors import InvalidInput, MemberNotFound
from domain.ports import OpenQuestion
from domain.services.members import member_by_handle
from handlers.buttons import CancelQuestion, DropHeld, TakeAsAnswer, TakeAsTask
from handlers.labels import LABELS
from handlers.rendering import label
from handlers.tokens import ButtonAction
from handlers.turn import CONFIRMED, QUESTION_NONCE, Turn
from handlers.types import Button, Reply

CANCEL_WORDS = frozenset({"cancel", "anuluj", "anulować", "отмена", "отменить", "отмени"})
_TITLE_CHARS = 32  # of a held text, on its "New task" button


@dataclass(frozen=True)
class NotAnAnswer:
    """A prompt handler's verdict: the text does not cleanly answer its question.

    ``answer`` is the label key and parameters of a button that takes the text as the
    answer after all ("Deadline of #12 → Fri 18:00"); None when the text cannot answer
    the question at all. ``reason`` is a label key saying what the question wanted.
    """

    answer: tuple[str, Mapping[str, Any]] | None = None
    reason: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


PromptResult = list[Reply] | NotAnAnswer
PromptHandler = Callable[[Turn, dict[str, Any], str], Awaitable[PromptResult]]
NewTask = Callable[[Turn, str], Awaitable[list[Reply]]]


def confirmed(data: Mapping[str, Any]) -> bool:
    return bool(data.get(CONFIRMED))


async def as_answer(
    handler: PromptHandler, turn: Turn, data: dict[str, Any], text: str
) -> list[Reply]:
    """Run a prompt handler on a text that is meant as the answer (a command's arguments):
    a text that cannot answer at all is refused like any bad input."""
    result = await handler(turn, {**data, CONFIRMED: True}, text)
    if isinstance(result, NotAnAnswer):
        raise InvalidInput(field="answer", reason="not_understood", value=text)
    return result


async def person_in(turn: Turn, text: str) -> tuple[Member | None, str]:
    """The member a person question's answer names (@handle, handle, or full name), and
    what else the text says; (None, text) when it names nobody."""
    words = text.split()
    if not words:
        return None, ""
    try:
        found = await member_by_handle(turn.uow, turn.me.company_id, words[0])
        return found, " ".join(words[1:])
    except MemberNotFound:
        wanted = " ".join(words).lower()
        named = [
            m
            for m in await turn.uow.members.list(turn.me.company_id)
            if m.active and m.name.lower() == wanted
        ]
        return (named[0], "") if len(named) == 1 else (None, text)


def task_like(turn: Turn, text: str) -> bool:
    """A sentence with a title and a deadline ("Buy printer paper tomorrow"): a task, by the
    capture grammar — not a search query or a name."""
    assert turn.company is not None
    draft = parse_task(
        text, now=turn.now, tz=turn.tz, lang=turn.lang, workday_end=turn.company.schedule.end
    )
    return draft.deadline is not None and draft.title.strip() != text.strip()


def short(text: str, limit: int = _TITLE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def is_cancel_word(text: str) -> bool:
    return text.strip().strip(".!").lower() in CANCEL_WORDS


def subject(lang: str, kind: str, data: Mapping[str, Any]) -> str:
    """What a question was about, in words: "the deadline of #12"."""
    key = f"question.about.{kind}"
    if key not in LABELS:
        key = "question.about.other"
    ref = str(data.get("ref") or "")
    params = {
        "task_id": data.get("task_id", "?"),
        "lead_id": data.get("lead_id", "?"),
        "deal_id": data.get("deal_id", "?"),
        "request_id": data.get("request_id", "?"),
        "ref_id": ref.rpartition(":")[2] or "?",
    }
    return label(lang, key, **params)


class Questions:
    """The open-question part of the conversation (``Conversation._dispatch`` calls it)."""

    def __init__(
        self,
        prompts: Callable[[], Mapping[str, PromptHandler]],
        ttl: timedelta,
        new_task: NewTask,
    ) -> None:
        self._prompts = prompts
        self._ttl = ttl
        self._new_task = new_task

    async def expire(self, turn: Turn) -> None:
        """Forget a question asked longer ago than the TTL: the message is an ordinary one."""
        await turn.uow.prompts.expire(turn.me.id, turn.now - self._ttl)

    async def _open(self, turn: Turn) -> OpenQuestion | None:
        question = await turn.uow.prompts.question(turn.me.id)
        if question is None or question.kind not in self._prompts():
            return None
        return question

    # -- commands ----------------------------------------------------------------------

    async def cancel_command(self, turn: Turn) -> list[Reply]:
        """/cancel: close the open question (or say there is none)."""
        return [await self._cancel(turn)]

    async def close_for_command(self, turn: Turn) -> Reply | None:
        """A command runs as a command: it closes the open question, and this says so."""
        question = await self._open(turn)
        await turn.uow.prompts.clear(turn.me.id)
        if question is None:
            return None
        return turn.reply(
            "question_closed", subject=subject(turn.lang, question.kind, question.data)
        )

    async def _cancel(self, turn: Turn) -> Reply:
        question = await self._open(turn)
        await turn.uow.prompts.clear(turn.me.id)
        about = subject(turn.lang, question.kind, question.data) if question else None
        return turn.edit("question_cancelled", subject=about)

    # -- typed text --------------------------------------------------------------------

    async def answer(self, turn: Turn, text: str) -> list[Reply] | None:
        """The reply to ``text`` if a question is open (or it is a cancel word), else None."""
        question = await self._open(turn)
        if is_cancel_word(text) and (question is not None or turn.inbound.chat_type == "private"):
            return [await self._cancel(turn)]
        if question is None:
            return None
        member = turn.me.id
        # Cleared first: the handler may ask the next question (return -> its deadline).
        await turn.uow.prompts.clear(member)
        result = await self._prompts()[question.kind](turn, question.data, text)
        if not isinstance(result, NotAnAnswer):
            return result
        # Not consumed: the question stays open (as old as it was) and the text is held.
        await turn.uow.prompts.set(member, question.kind, question.data, at=question.at)
        return [await self._offer(turn, question, text, result)]

    async def _offer(
        self, turn: Turn, question: OpenQuestion, text: str, verdict: NotAnAnswer
    ) -> Reply:
        """What the bot understood, and buttons: [the answer] [New task "…"] [Cancel]."""
        held = await turn.uow.prompts.hold(turn.me.id, question.kind, question.data, text)
        rows: list[tuple[Button, ...]] = []
        if verdict.answer is not None:
            key, params = verdict.answer
            rows.append((turn.button(key, TakeAsAnswer(held), **params),))
        # In groups only /task creates tasks; chatter there is not a task.
        if turn.inbound.chat_type == "private":
            rows.append(
                (turn.button("question.new_task", TakeAsTask(held), title=self._title(turn, text)),)
            )
        rows.append((turn.button("question.drop", DropHeld(held)),))
        return turn.reply(
            "question_unclear",
            tuple(rows),
            subject=subject(turn.lang, question.kind, question.data),
            reason=verdict.reason,
            params=dict(verdict.params),
            text=text,
            understood=verdict.answer is not None,
        )

    @staticmethod
    def _title(turn: Turn, text: str) -> str:
        assert turn.company is not None
        draft = parse_task(
            text, now=turn.now, tz=turn.tz, lang=turn.lang, workday_end=turn.company.schedule.end
        )
        return short(draft.title.strip() or text)

    # -- buttons -----------------------------------------------------------------------

    @property
    def actions(self) -> Mapping[type[ButtonAction], Callable[[Turn, Any], Awaitable[list[Reply]]]]:
        """The buttons of questions: Cancel, and what a held text was."""
        return {
            CancelQuestion: self.cancel_pressed,
            TakeAsAnswer: self.held_pressed,
            TakeAsTask: self.held_pressed,
            DropHeld: self.held_pressed,
        }

    async def cancel_pressed(self, turn: Turn, pressed: CancelQuestion) -> list[Reply]:
        question = await turn.uow.prompts.question(turn.me.id)
        if question is None or str(question.data.get(QUESTION_NONCE)) != pressed.nonce:
            # An older question's button: the one open now is not touched.
            return [turn.edit("question_cancelled", subject=None, gone=True)]
        return [await self._cancel(turn)]

    async def held_pressed(
        self, turn: Turn, pressed: TakeAsAnswer | TakeAsTask | DropHeld
    ) -> list[Reply]:
        held = await turn.uow.prompts.held(turn.me.id, pressed.held_id)
        if held is None:
            return [turn.edit("question_cancelled", subject=None, gone=True)]
        member = turn.me.id
        await turn.uow.prompts.release(member, held.id)
        question = await turn.uow.prompts.question(member)
        if question is not None and question.kind == held.kind and question.data == held.data:
            await turn.uow.prompts.clear(member)  # the member said what the text was
        if isinstance(pressed, DropHeld):
            return [turn.edit("question_dropped", text=held.text)]
        if isinstance(pressed, TakeAsTask):
            # The choice message becomes the new task's confirmation.
            created = await self._new_task(turn, held.text)
            return [replace(created[0], edit=True), *created[1:]] if created else created
        handler = self._prompts().get(held.kind)
        if handler is None:
            raise InvalidInput(field="answer", reason="not_understood", value=held.text)
        return await as_answer(handler, turn, held.data, held.text)
