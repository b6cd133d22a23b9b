"""/help by topic: every command, in one place, as data.

A topic is a list of entries; an entry is how the command is typed (``%(project)s`` is
the company's first project, ``%(person)s`` a colleague's handle) and one line saying
what it does. The line is a gettext message, marked with ``N_`` (babel's default
keyword) and translated where it is shown (``help_topic.j2``); so is the usage when it
holds words the member would type in their language ("/time del 5 why"), not when it
is only a command and its keywords ("/timesheet week"). Adding a command is one line in ``TOPICS``;
tests/integration/test_help_dialogs.py fails while a command of the conversation's
table is in no topic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.rendering import fold, label_names


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Entry:
    usage: str  # msgid: the command as typed ("/time del 5 reason")
    text: str  # msgid: what it does, one line

    @property
    def command(self) -> str | None:
        """The command the entry shows (None: a plain message, no command)."""
        match = re.match(r"/(\w+)", self.usage)
        return match.group(1) if match else None


# fmt: off
TOPICS: dict[str, tuple[Entry, ...]] = {
    "tasks": (
        Entry(N_("%(project)s: Call the client tomorrow 10:00 @%(person)s !high"),
              N_("just write it: a task with its project, deadline, person and priority")),
        Entry(N_("%(project)s: Prepare the offer tomorrow morning !urgent"),
              N_("morning is 9:00, afternoon 14:00, evening 18:00; !urgent is high priority")),
        Entry(N_("/task %(project)s: Send the offer friday"), N_("a task from a group chat")),
        Entry(N_("/subtask 12 Prepare the figures"), N_("a subtask of task 12")),
        Entry("/today", N_("my tasks due today")),
        Entry("/overdue", N_("my overdue tasks")),
        Entry("/tasks", N_("all my open tasks")),
        Entry("/new", N_("tasks I have not started yet")),
        Entry("/created", N_("tasks I gave to others")),
        Entry("/observing", N_("tasks I observe")),
        Entry("/awaiting", N_("finished work waiting for my acceptance")),
        Entry("/tasks @%(person)s", N_("the open tasks of someone in my team")),
        Entry(N_("/today team"),
              N_("my team's tasks for today (also /overdue team, /awaiting team)")),
        Entry("/backlog", N_("the backlog (STEC)")),
        Entry("/project %(project)s", N_("the tasks of a project")),
        Entry(N_("/tag client"), N_("the tasks with a tag")),
        Entry(N_("/search offer"), N_("find tasks by their words, in any form")),
        Entry("/show 12", N_("the card of task 12, with its buttons")),
        Entry("/board", N_("the board in a browser: my tasks, my team, calendar, time, funnel")),
        Entry("/go 12", N_("start working on task 12")),
        Entry("/pause 12", N_("pause it")),
        Entry("/defer 12", N_("put it off")),
        Entry(N_("/done 12 what was done"), N_("finish it, with the result")),
        Entry("/accept 12 +", N_("accept finished work, rated 👍")),
        Entry(N_("/accept 12 - what is wrong"), N_("accept it rated 👎, with the reason")),
        Entry(N_("/return 12 what to fix, friday"),
              N_("return it for rework, with a new deadline")),
        Entry(N_("/reopen 12 why"), N_("reopen a closed task")),
        Entry(N_("/deadline 12 friday 15:00"), N_("move the deadline")),
        Entry("/delegate 12 @%(person)s", N_("pass the task on")),
        Entry("/observe 12 @%(person)s", N_("add an observer")),
        Entry("/coexec 12 @%(person)s", N_("add a co-executor")),
        Entry(N_("/comment 12 text"), N_("comment on the task")),
        Entry(N_("/part 12 tomorrow"), N_("close today's part, the rest goes on as the next part")),
        Entry("/cancel", N_("drop the open question (or just write “cancel”)")),
    ),
    "time": (
        Entry("/timer 12", N_("start the timer on task 12 (another running one pauses)")),
        Entry("/timer", N_("the running timer, with its buttons")),
        Entry("/time", N_("today's time entries")),
        Entry(N_("/time 12 1h30m what was done"), N_("add time by hand")),
        Entry(N_("/time 12 9:00-10:30 what was done"), N_("add time from-to")),
        Entry(N_("/time edit 5 45m why"), N_("correct time entry 5")),
        Entry(N_("/time del 5 why"), N_("delete time entry 5")),
        Entry("/time log 5", N_("who changed time entry 5, and when")),
        Entry("/day start", N_("start the work day (also: pause, resume, end)")),
        Entry("/plan", N_("today's plan; /plan fix fixes it")),
        Entry("/report", N_("the day report; /report submit sends it")),
    ),
    "reports": (
        Entry("/timesheet week", N_("my time this week")),
        Entry("/timesheet month team by project chart",
              N_("the team's time by project, with a chart")),
        Entry("/timesheet last week by client xlsx",
              N_("by member, project, tag, client or day; as csv or xlsx")),
        Entry("/timesheet 2026-11-01..2026-11-15 by day", N_("any period")),
        Entry("/timesheet plan", N_("planned against tracked time")),
        Entry("/timereport", N_("the same as /timesheet")),
        Entry("/attendance month team", N_("who started late, left early or sent no report")),
    ),
    "crm": (
        Entry("/lead Jan Kowalski, ACME, +48 600 100 200",
              N_("a new lead from one line: name, phone, email, company")),
        Entry("/leads", N_("my leads")),
        Entry("/deals", N_("my deals")),
        Entry(N_("/deal 7 amount 12 000 PLN"), N_("a deal's card, or set its amount")),
        Entry("/client Acme", N_("find a client: leads, contacts, companies, deals")),
        Entry("/funnel month", N_("the sales funnel: week, month, quarter, year")),
    ),
    "requests": (
        Entry("/request", N_("a new request: pick its type")),
        Entry("/request leave", N_("a request of one type")),
        Entry("/approvals", N_("requests waiting for my decision")),
        Entry("/approval 7", N_("the card of request 7")),
        Entry("/deputy @%(person)s 01.12-05.12",
              N_("who decides for me while I am away (/deputy off)")),
    ),
    "settings": (
        Entry("/lang", N_("my language")),
        Entry("/tz Europe/Warsaw", N_("my time zone")),
        Entry("/me", N_("who I am here")),
        Entry("/notifications", N_("what the bot tells me, and what I muted")),
        Entry(N_("/unmute team.digest"), N_("a morning digest of my team (managers)")),
        Entry(N_("/mute Morning plan"), N_("turn a notification off")),
        Entry(N_("/unmute Morning plan"), N_("turn it on again")),
        Entry("/quiet 22:00-07:00", N_("quiet hours (/quiet off)")),
        Entry("/digest on", N_("one digest instead of separate notices")),
        Entry(N_("/repeat weekdays 9:00 ; %(project)s: Call back the list"),
              N_("a recurring task (daily, weekdays, weekly fri, monthly 1)")),
        Entry("/repeat", N_("my recurring tasks")),
        Entry("/invite employee", N_("an invite code for a new colleague")),
        Entry(N_("/join CODE"), N_("join a company with an invite code")),
        Entry("/start", N_("the welcome and this help")),
        Entry(N_("/help time"), N_("help on one topic")),
    ),
    "company": (
        Entry(N_("/project add Logistics @%(person)s"),
              N_("a new project with its people (admins)")),
        Entry(N_("/project rename Logistics Shipping"), N_("rename a project")),
        Entry(N_("/project Logistics add @%(person)s"), N_("add someone to a project (or remove)")),
        Entry(N_("/project archive Logistics"),
              N_("archive a project: its tasks stay, no new ones")),
        Entry(N_("/department add Field sales under Sales"), N_("a department, nested or not")),
        Entry(N_("/department Sales head @%(person)s"),
              N_("set a department's head (or add, remove)")),
        Entry("/member @%(person)s", N_("a member's card: position, manager, role, tz, language")),
        Entry(N_("/member @%(person)s leave"),
              N_("let someone go: their tasks go to their manager")),
        Entry(N_("/rename 12 new title"), N_("rename a task")),
        Entry("/audit", N_("who changed the structure, and when (admins)")),
    ),
}
# fmt: on


# Commands of the conversation's table that adapters send, not people: not in /help.
# request_form: a Slack modal's filled /request form (handlers.questionnaires).
NOT_TYPED = frozenset({"request_form"})


def commands_in_topics() -> set[str]:
    return {e.command for entries in TOPICS.values() for e in entries if e.command}


def topic_of_command(command: str) -> str | None:
    """The topic that shows ``command`` (``/help mute`` opens settings)."""
    for key, entries in TOPICS.items():
        if any(e.command == command for e in entries):
            return key
    return None


def find_topic(word: str) -> str | None:
    """The topic ``word`` names: a topic key, its name in any of our languages
    (/help czas, /help время), or a command shown in it (/help mute)."""
    wanted = fold(word)
    if wanted in TOPICS:
        return wanted
    for key in TOPICS:
        if wanted in label_names(f"help.topic.{key}"):
            return key
    return topic_of_command(wanted)
