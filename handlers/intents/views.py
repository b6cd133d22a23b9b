"""Reading: task lists, the task card, search."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from domain.errors import DomainError, InvalidInput
from domain.ids import task_number
from domain.ports import ListView
from domain.services.tasks import list_tasks, search_tasks, task_card
from domain.services.team import TEAM, Scope, scope_by_id, scope_for
from handlers.buttons import ListPage, OpenTask, ProjectPage, SearchPage, TagPage, TeamListPage
from handlers.cards import card_reply, list_reply, team_list_reply
from handlers.intents.structure import is_project_change, project_change
from handlers.personal import personal, with_args
from handlers.questions import NotAnAnswer, PromptResult, confirmed, short, task_like
from handlers.turn import Turn
from handlers.types import Reply

_MAX_NAV_QUERY = 24  # what fits in a 64-byte button beside the action and signature

__all__ = ["card_reply"]


def _task_id(raw: str) -> int:
    return task_number(raw)


async def show_list(turn: Turn, view: ListView, page: int = 0) -> list[Reply]:
    result = await list_tasks(turn.uow, turn.me, view, turn.now, page=page)
    return [list_reply(turn, view, result, page, lambda n: ListPage(view, n))]


# Views a head or manager may ask about their team or one of their people.
_TEAM_VIEWS = frozenset({ListView.MINE, ListView.TODAY, ListView.OVERDUE, ListView.AWAITING})


async def show_team_list(turn: Turn, view: ListView, scope: Scope, page: int = 0) -> list[Reply]:
    """/today team, /tasks @anna: someone else's tasks, person by person."""
    result = await list_tasks(turn.uow, turn.me, view, turn.now, page=page, scope=scope)
    people = {t.responsible_id for t in result.items} - set(scope.names)
    names = dict(scope.names)
    names.update({m.id: m.name for m in await turn.uow.members.get_many(people) if m.id})
    member_id = None if scope.team else min(scope.member_ids)  # None: the whole team

    def nav(number: int) -> TeamListPage:
        return TeamListPage(view, member_id, number)

    return [team_list_reply(turn, view, result, page, nav, names, scope.label)]


async def team_list_pressed(turn: Turn, pressed: TeamListPage) -> list[Reply]:
    if pressed.member_id is None:
        scope = await scope_for(turn.uow, turn.me, TEAM)
    else:
        scope = await scope_by_id(turn.uow, turn.me, pressed.member_id)
    return await show_team_list(turn, pressed.view, scope, pressed.page)


def _list_command(view: ListView) -> Any:
    async def command(turn: Turn) -> list[Reply]:
        who = turn.inbound.args.strip()
        if who and view in _TEAM_VIEWS:
            scope = await scope_for(turn.uow, turn.me, who.split()[0])
            return await show_team_list(turn, view, scope)
        return await show_list(turn, view)

    command.__name__ = f"list_{view.value}"
    return command


async def list_pressed(turn: Turn, pressed: ListPage) -> list[Reply]:
    return await show_list(turn, pressed.view, pressed.page)


async def project_list(turn: Turn, page: int = 0, project_name: str | None = None) -> list[Reply]:
    name = project_name if project_name is not None else turn.inbound.args.strip()
    if not name:
        projects = await turn.uow.projects.list(turn.me.company_id)
        return [
            turn.reply(
                "project_list",
                projects=[p for p in projects if not p.archived],
                archived=[p for p in projects if p.archived],
            )
        ]
    project = await turn.uow.projects.by_name(turn.me.company_id, name)
    if project is None:
        raise InvalidInput(field="project", reason="unknown", value=name)
    result = await list_tasks(
        turn.uow, turn.me, ListView.PROJECT, turn.now, page=page, project_id=project.id
    )
    project_id = project.id

    def nav(number: int) -> ProjectPage:
        return ProjectPage(project_id, number)

    return [list_reply(turn, ListView.PROJECT, result, page, nav, title=project.name)]


async def project_pressed(turn: Turn, pressed: ProjectPage) -> list[Reply]:
    project = await turn.uow.projects.get(pressed.project_id)
    if project is None:
        raise InvalidInput(field="project", reason="unknown", value=str(pressed.project_id))
    return await project_list(turn, pressed.page, project.name)


async def tag_list(turn: Turn, page: int = 0, tag: str | None = None) -> list[Reply]:
    tag = (tag if tag is not None else turn.inbound.args).strip().lstrip("#").lower()
    if not tag:
        raise InvalidInput(field="tag", reason="empty")
    result = await list_tasks(turn.uow, turn.me, ListView.TAG, turn.now, page=page, tag=tag)
    paged = tag if len(tag.encode()) <= _MAX_NAV_QUERY else None
    nav = None if paged is None else lambda n: TagPage(paged, n)
    return [list_reply(turn, ListView.TAG, result, page, nav, title=f"#{tag}")]


async def tag_pressed(turn: Turn, pressed: TagPage) -> list[Reply]:
    return await tag_list(turn, pressed.page, pressed.tag)


async def search(turn: Turn, page: int = 0, query: str | None = None) -> list[Reply]:
    query = (query if query is not None else turn.inbound.args).strip()
    if not query:
        return [await turn.ask_for("search", {}, "search_ask")]
    result = await search_tasks(turn.uow, turn.me, query, page=page)
    fits = len(query.encode()) <= _MAX_NAV_QUERY and ":" not in query
    paged = query if fits else None
    nav = None if paged is None else lambda n: SearchPage(paged, n)
    return [list_reply(turn, "search", result, page, nav, title=query)]


async def search_pressed(turn: Turn, pressed: SearchPage) -> list[Reply]:
    return await search(turn, pressed.page, pressed.query)


async def search_answer(turn: Turn, data: dict[str, Any], text: str) -> PromptResult:
    """A query is free text, but a task-like sentence is offered as a task too."""
    if task_like(turn, text) and not confirmed(data):
        return NotAnAnswer(answer=("question.as_search", {"query": short(text)}))
    return await search(turn, 0, text)


async def show(turn: Turn) -> list[Reply]:
    """/show 12 — open a task card."""
    return [await card_reply(turn, _task_id(turn.inbound.args))]


async def _private_task(turn: Turn) -> bool:
    """A task outside every project is seen only by its people: in a group its card goes
    privately. A project's task is the team's (its card stays in the group), and a task
    the member may not see is refused where it was asked."""
    try:
        card = await task_card(turn.uow, turn.me, _task_id(turn.inbound.args))
    except DomainError:
        return False
    return card.task.project_id is None


async def open_pressed(turn: Turn, pressed: OpenTask) -> list[Reply]:
    card = await card_reply(turn, pressed.task_id)
    # A card opened from a list is a new message; the list stays for the next pick.
    return [replace(card, edit=False)]


_project_view = personal("project", project_list, with_args)


async def project(turn: Turn) -> list[Reply]:
    """/project [NAME] shows; /project add|rename|archive|restore … and
    /project NAME add|remove @x change the structure (admins, handlers.intents.structure)."""
    if is_project_change(turn.inbound.args):
        return await project_change(turn)
    return await _project_view(turn)


COMMANDS = {
    "tasks": personal("tasks", _list_command(ListView.MINE)),
    "today": personal("today", _list_command(ListView.TODAY)),
    "overdue": personal("overdue", _list_command(ListView.OVERDUE)),
    "new": personal("new", _list_command(ListView.NEW)),
    "created": personal("created", _list_command(ListView.CREATED)),
    "observing": personal("observing", _list_command(ListView.OBSERVING)),
    "awaiting": personal("awaiting", _list_command(ListView.AWAITING)),
    "backlog": personal("backlog", _list_command(ListView.BACKLOG)),
    "project": project,
    "tag": personal("tag", tag_list, with_args),
    "search": personal("search", search, with_args),
    "show": personal("show", show, _private_task),
}
ACTIONS = {
    ListPage: list_pressed,
    TeamListPage: team_list_pressed,
    ProjectPage: project_pressed,
    TagPage: tag_pressed,
    SearchPage: search_pressed,
    OpenTask: open_pressed,
}
PROMPTS = {"search": search_answer}
