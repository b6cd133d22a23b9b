"""Block Kit builders: a rendered Reply -> message blocks, home views, modals.

The text arrives already in Slack mrkdwn with user strings escaped by the renderer;
nothing here escapes it again. Button labels go into ``plain_text`` fields, which
Slack shows verbatim, so they are not escaped either. Slack's limits are enforced
here: 50 blocks per message (100 per view), 3000 characters per section (longer
text is split into several sections), 75 characters per button label, 255 per
action id and 2000 per button value.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterable, Iterator
from typing import Any

from handlers.rendering import Rendered, RenderedButton

log = logging.getLogger(__name__)

Block = dict[str, Any]

ACTION_PREFIX = "brygada:"
ACTION_PATTERN = re.compile(r"^brygada:\d+$")
# A link button (the board's sign-in link): Slack opens the address and still tells the
# app, which only acknowledges it.
LINK_ACTION_PATTERN = re.compile(r"^brygada_link:\d+$")
CREATE_TASK_SHORTCUT = "create_task_from_message"
HOME_REFRESH = "brygada_home_refresh"

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_MESSAGE_TEXT = 40_000
MAX_BUTTON_TEXT = 75
MAX_ACTION_ID = 255
MAX_BUTTON_VALUE = 2000
MAX_ACTIONS_ELEMENTS = 25
EMPTY_TEXT = "…"


def action_id(index: int) -> str:
    """``brygada:<n>``: unique within one message (Slack requires it), never > 255 chars."""
    value = f"{ACTION_PREFIX}{index}"
    assert len(value) <= MAX_ACTION_ID
    return value


def fallback_text(rendered: Rendered) -> str:
    """The message's top-level ``text`` (notifications, screen readers)."""
    text = rendered.text.strip() or EMPTY_TEXT
    return _truncate(text, MAX_MESSAGE_TEXT)


def message_blocks(rendered: Rendered, *, max_blocks: int = MAX_MESSAGE_BLOCKS) -> list[Block]:
    """Sections for the text, one ``actions`` block per button row."""
    return _blocks([rendered], max_blocks, itertools.count())


def home_view(replies: Iterable[Rendered], refresh_label: str) -> dict[str, Any]:
    """An App Home tab (type ``home``): a Refresh button, then the rendered replies one
    after another, divided."""
    refresh: Block = {
        "type": "actions",
        "block_id": "home_refresh",
        "elements": [
            {
                "type": "button",
                "action_id": HOME_REFRESH,
                "text": {"type": "plain_text", "text": _truncate(refresh_label, MAX_BUTTON_TEXT)},
            }
        ],
    }
    blocks: list[Block] = [refresh]
    counter = itertools.count()
    for rendered in replies:
        blocks.append({"type": "divider"})
        blocks.extend(_blocks([rendered], MAX_VIEW_BLOCKS - len(blocks), counter))
    if len(blocks) == 1:
        blocks.append(section(EMPTY_TEXT))
    return {"type": "home", "blocks": blocks[:MAX_VIEW_BLOCKS]}


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(item: RenderedButton, index: int) -> Block | None:
    if item.url is not None:
        return {
            "type": "button",
            "action_id": f"brygada_link:{index}",
            "text": {"type": "plain_text", "text": _truncate(item.label, MAX_BUTTON_TEXT) or "?"},
            "url": item.url,
        }
    if len(item.data) > MAX_BUTTON_VALUE:
        log.warning("button %r dropped: value longer than %d", item.label, MAX_BUTTON_VALUE)
        return None
    return {
        "type": "button",
        "action_id": action_id(index),
        "text": {"type": "plain_text", "text": _truncate(item.label, MAX_BUTTON_TEXT) or "?"},
        "value": item.data,
    }


def _blocks(items: list[Rendered], max_blocks: int, counter: Iterator[int]) -> list[Block]:
    text_blocks: list[Block] = []
    action_blocks: list[Block] = []
    for rendered in items:
        text_blocks.extend(section(chunk) for chunk in split_mrkdwn(rendered.text))
        # A question's Cancel is one more row (a modal has its own Close instead).
        cancel = [[rendered.cancel]] if rendered.cancel is not None else []
        for row in [*rendered.buttons, *cancel]:
            elements = [b for b in (button(item, next(counter)) for item in row) if b]
            for start in range(0, len(elements), MAX_ACTIONS_ELEMENTS):
                action_blocks.append(
                    {"type": "actions", "elements": elements[start : start + MAX_ACTIONS_ELEMENTS]}
                )
    if max_blocks <= 0:
        return []
    # Buttons matter more than the tail of a long text: keep them, cut the text.
    action_blocks = action_blocks[: max_blocks - 1] if text_blocks else action_blocks[:max_blocks]
    room = max_blocks - len(action_blocks)
    if len(text_blocks) > room:
        log.warning("message text cut to %d sections (Slack allows %d blocks)", room, max_blocks)
        text_blocks = text_blocks[:room]
        if text_blocks:
            last = text_blocks[-1]["text"]
            last["text"] = _truncate(last["text"], MAX_SECTION_TEXT)
    return [*text_blocks, *action_blocks]


def split_mrkdwn(text: str, limit: int = MAX_SECTION_TEXT) -> list[str]:
    """Split mrkdwn into chunks of at most ``limit`` characters, at line breaks when
    possible and never inside an ``&amp;`` entity or a ``<link|text>``."""
    text = text.strip()
    if not text:
        return []
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        current = line
        while len(current) > limit:
            cut = _safe_cut(current, limit)
            chunks.append(current[:cut])
            current = current[cut:].lstrip(" ")
    if current.strip():
        chunks.append(current)
    return [c for c in chunks if c.strip()]


def _safe_cut(text: str, limit: int) -> int:
    cut = limit
    space = text.rfind(" ", 0, limit)
    if space > limit // 2:
        cut = space
    head = text[:cut]
    opened = head.rfind("<")
    if opened > head.rfind(">") and opened > 0:
        cut = opened
    head = text[:cut]
    amp = head.rfind("&")
    if amp > head.rfind(";") and amp > 0 and cut - amp < 8:
        cut = amp
    return max(cut, 1)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
