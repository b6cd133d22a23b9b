"""Finding the deadline in a message's words.

The rules of :mod:`domain.capture_grammar` are compiled once, at import, into a trie over
words. At every word the matcher walks the trie depth-first and keeps the longest phrase
whose builder accepts the captured values, then continues after it. Of the phrases found,
the first one naming a day (or an exact moment) and the first one naming a time of day are
combined into the deadline; any further date phrases are left in the title as text.

This replaces dateparser for our phrases: it is exact where dateparser 1.5.0 is not
("завтра в 9" is 09:00, "do końca tygodnia" is understood) and it is fast enough to run on
every chat message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from domain.capture_grammar import (
    CLASSES,
    NOT_AFTER_BARE_HOUR,
    PREDICATES,
    RECURRING,
    RULES,
    Rule,
    fold_pl,
)
from domain.capture_time import Ctx, Piece

# A workday that is already over still has this much of "today" left.
_LATE_TODAY = time(23, 59)


class _Node:
    __slots__ = ("classes", "lit", "preds", "rule")

    def __init__(self) -> None:
        self.lit: dict[str, _Node] = {}
        self.classes: dict[str, tuple[Mapping[str, int], _Node]] = {}
        self.preds: dict[str, tuple[Callable[[str], int | None], _Node]] = {}
        self.rule: Rule | None = None

    def child(self, key: str) -> _Node:
        if key.startswith("{") and key.endswith("}"):
            name = key[1:-1]
            if name in CLASSES:
                if name not in self.classes:
                    self.classes[name] = (CLASSES[name], _Node())
                return self.classes[name][1]
            if name not in self.preds:
                self.preds[name] = (PREDICATES[name], _Node())  # KeyError = typo in a rule
            return self.preds[name][1]
        return self.lit.setdefault(key, _Node())


def _compile(rules: Sequence[Rule]) -> _Node:
    root = _Node()
    for rule in rules:
        current = [root]
        for element in rule.pattern.split():
            optional = element.endswith("?")
            alternatives = element.rstrip("?").split("|")
            keys = dict.fromkeys(alternatives + [fold_pl(a) for a in alternatives])
            following: list[_Node] = []
            for node in current:
                following.extend(node.child(key) for key in keys)
                if optional:
                    following.append(node)
            current = list({id(n): n for n in following}.values())
        for node in current:
            if node.rule is None:  # an earlier rule with the same words wins
                node.rule = rule
    return root


_ROOT = _compile(RULES)
_DIGITS = frozenset("0123456789")


def _could_start(word: str) -> bool:
    """Cheap pre-check: most words of a message cannot begin a date phrase."""
    if word in _ROOT.lit or word[:1] in _DIGITS:
        return True
    return any(word in table for table, _ in _ROOT.classes.values())


@dataclass(frozen=True, slots=True)
class Match:
    start: int  # index of the first word
    end: int  # index after the last word
    piece: Piece


def _longest_at(words: Sequence[str | None], start: int, ctx: Ctx) -> Match | None:
    best: Match | None = None
    stack: list[tuple[_Node, int, tuple[int, ...]]] = [(_ROOT, start, ())]
    count = len(words)
    while stack:
        node, i, caps = stack.pop()
        rule = node.rule
        if rule is not None and (best is None or i > best.end):
            following = words[i] if i < count else None
            refused = following is not None and (
                (rule.bare_hour and following in NOT_AFTER_BARE_HOUR)
                or following in rule.refused_before
            )
            piece = None if refused else rule.build(caps, ctx)
            if piece is not None:
                best = Match(start, i, piece)
        if i >= count:
            continue
        word = words[i]
        if word is None:
            continue
        nxt = node.lit.get(word)
        if nxt is not None:
            stack.append((nxt, i + 1, caps))
        for table, child in node.classes.values():
            value = table.get(word)
            if value is not None:
                stack.append((child, i + 1, (*caps, value)))
        for predicate, child in node.preds.values():
            value = predicate(word)
            if value is not None:
                stack.append((child, i + 1, (*caps, value)))
    return best


def find_phrases(words: Sequence[str | None], ctx: Ctx) -> list[Match]:
    """All date/time phrases, left to right, longest first; ``None`` words break phrases."""
    found: list[Match] = []
    i = 0
    while i < len(words):
        word = words[i]
        recurring = i > 0 and words[i - 1] in RECURRING
        if word is not None and not recurring and _could_start(word):
            match = _longest_at(words, i, ctx)
            if match is not None:
                found.append(match)
                i = match.end
                continue
        i += 1
    return found


@dataclass(frozen=True, slots=True)
class Deadline:
    at: datetime
    explicit_time: bool
    spans: tuple[tuple[int, int], ...]  # [start, end) word ranges that made it


def _plus_one_day(d: date) -> date | None:
    try:
        return d + timedelta(days=1)
    except OverflowError:
        return None


def find_deadline(words: Sequence[str | None], ctx: Ctx) -> Deadline | None:
    """The deadline named in ``words`` (lowercased word cores), or ``None``."""
    matches = find_phrases(words, ctx)
    day_at = next((k for k, m in enumerate(matches) if m.piece.kind != "clock"), None)
    clock_at = next((k for k, m in enumerate(matches) if m.piece.kind == "clock"), None)
    spans: list[tuple[int, int]] = []
    piece: Piece | None = None
    if day_at is not None:
        first = matches[day_at]
        piece = first.piece
        spans.append((first.start, first.end))
        after = matches[day_at + 1] if day_at + 1 < len(matches) else None
        if (
            piece.kind == "day"
            and not piece.explicit_day
            and after is not None
            and after.start == first.end
            and after.piece.explicit_day
        ):
            # "on Friday 28.11": the written date is the deadline, the weekday goes with it.
            piece = after.piece
            spans.append((after.start, after.end))
    if piece is not None and piece.kind == "moment":
        clock_at = None  # "in 2 hours" already is a time; a later "at 9" stays text
    named: time | None = None
    if clock_at is not None:
        spans.append((matches[clock_at].start, matches[clock_at].end))
        named = matches[clock_at].piece.clock
    at = _combine(ctx, piece, named)
    if at is None:
        return None
    exact = named is not None or (piece is not None and piece.kind == "moment")
    return Deadline(at, explicit_time=exact, spans=tuple(sorted(spans)))


def _combine(ctx: Ctx, piece: Piece | None, named: time | None) -> datetime | None:
    if piece is not None and piece.moment is not None:
        return piece.moment
    day = piece.day if piece is not None else None
    if day is not None and named is not None:
        return datetime.combine(day, named, tzinfo=ctx.zone)
    if day is not None:
        end = ctx.workday_end.replace(tzinfo=None)
        if day == ctx.today and ctx.now.time() >= end:
            end = _LATE_TODAY  # "today" said after work still means today, not the past
        return datetime.combine(day, end, tzinfo=ctx.zone)
    if named is None:
        return None
    at = datetime.combine(ctx.today, named, tzinfo=ctx.zone)
    # Compared as instants: within one zone Python compares wall times, which is wrong in
    # the repeated hour when the clocks go back.
    if at.timestamp() <= ctx.now.timestamp():
        tomorrow = _plus_one_day(ctx.today)
        if tomorrow is None:
            return None
        at = datetime.combine(tomorrow, named, tzinfo=ctx.zone)
    return at
