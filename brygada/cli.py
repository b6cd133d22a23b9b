"""The ``brygada`` command: migrate, init, invite, member, project, department, import,
shell, run."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from functools import partial

from aiohttp import web as aiohttp_web

from brygada.bootstrap import App, bootstrap
from brygada.demo import ensure_demo_company
from brygada.settings import Settings
from domain.company import LANGUAGES, Company, Role
from domain.errors import DomainError
from domain.ports import UnitOfWork
from domain.services import members, staff, structure

log = logging.getLogger("brygada")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="brygada", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations")
    init = sub.add_parser("init", help="create the company (applies migrations first)")
    init.add_argument("--company", required=True)
    init.add_argument("--timezone")
    init.add_argument("--language")
    company = sub.add_parser("company", help="the company's settings")
    company_sub = company.add_subparsers(dest="company_command", required=True)
    company_set = company_sub.add_parser("set", help="change the company's settings")
    company_set.add_argument(
        "--country", required=True, help="whose public holidays are days off: PL, RU, ... or -"
    )
    invite = sub.add_parser("invite", help="invite codes")
    invite_sub = invite.add_subparsers(dest="invite_command", required=True)
    create = invite_sub.add_parser("create", help="print a new invite code")
    create.add_argument("--role", default="employee", choices=[r.value for r in Role])
    create.add_argument("--json", action="store_true")
    member = sub.add_parser("member", help="members")
    member_sub = member.add_subparsers(dest="member_command", required=True)
    email = member_sub.add_parser(
        "email", help="set a member's work email (Slack links the verified address to them)"
    )
    email.add_argument("member", help="@handle, name or id")
    email.add_argument("email", nargs="?", help="the address; omitted: show the current one")
    email.add_argument("--clear", action="store_true", help="remove the address")
    member_set = member_sub.add_parser("set", help="set a member's position, manager, role…")
    member_set.add_argument("member", help="email, @handle or name")
    member_set.add_argument("--position")
    member_set.add_argument("--manager", help="the manager's email, @handle or name; - clears")
    member_set.add_argument("--department", help="a department's name; - clears")
    member_set.add_argument("--role", choices=[r.value for r in Role])
    member_set.add_argument("--tz", help="IANA timezone, e.g. Europe/Warsaw")
    member_set.add_argument("--lang", choices=list(LANGUAGES))
    project = sub.add_parser("project", help="projects")
    project_sub = project.add_subparsers(dest="project_command", required=True)
    project_add = project_sub.add_parser("add", help="create a project")
    project_add.add_argument("name")
    project_add.add_argument(
        "--member", action="append", default=[], help="a member's email (repeatable)"
    )
    department = sub.add_parser("department", help="departments")
    department_sub = department.add_subparsers(dest="department_command", required=True)
    department_add = department_sub.add_parser("add", help="create a department")
    department_add.add_argument("name")
    department_add.add_argument("--parent", help="the department it belongs to")
    department_add.add_argument("--head", help="the head's email")
    imports = sub.add_parser("import", help="bring data in")
    imports_sub = imports.add_subparsers(dest="import_command", required=True)
    staff = imports_sub.add_parser(
        "members",
        help="members from a CSV (name,email,position,department,manager,role,timezone,language);"
        " prints name,email,code,link",
    )
    staff.add_argument("file", help="the CSV file (- reads standard input)")
    staff.add_argument("--out", help="write the codes CSV here instead of standard output")
    shell = sub.add_parser("shell", help="chat in the terminal as a member")
    shell.add_argument("--as", dest="persona", required=True, help="@handle or name")
    run = sub.add_parser("run", help="run the configured chat platforms, else the console demo")
    run.add_argument(
        "--role",
        default="all-in-one",
        help="all-in-one (the default: one process does everything), or, as one of N "
        "replicas on PostgreSQL: web (HTTP: webhooks, Slack events, lead forms), worker "
        "(sweep leader election, outbox, Telegram polling), or web,worker",
    )
    forms = sub.add_parser("forms", help="website lead forms")
    forms_sub = forms.add_subparsers(dest="forms_command", required=True)
    form_create = forms_sub.add_parser("create", help="create a form and print its token")
    form_create.add_argument("name")
    form_create.add_argument("--json", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings()  # type: ignore[call-arg]  # values come from the environment
    # APScheduler logs every job run at INFO: noise in a chat terminal and in server logs.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        return asyncio.run(_main(args, settings))
    except KeyboardInterrupt:
        return 130


async def _main(args: argparse.Namespace, settings: Settings) -> int:
    app = await bootstrap(settings)
    try:
        match args.command:
            case "migrate":
                print("Database is up to date.")
                return 0
            case "init":
                return await _init(app, args)
            case "company":
                return await _company_set(app, args)
            case "invite":
                return await _invite(app, args)
            case "member" if args.member_command == "set":
                return await _member_set(app, args)
            case "member":
                return await _member_email(app, args)
            case "project":
                return await _project_add(app, args)
            case "department":
                return await _department_add(app, args)
            case "import":
                return await _import_members(app, args)
            case "shell":
                return await _shell(app, args.persona)
            case "run":
                return await _run(app, args.role)
            case "forms":
                return await _forms(app, args)
    finally:
        await app.close()
    return 2


async def _init(app: App, args: argparse.Namespace) -> int:
    async with app.uow() as uow:
        if await uow.companies.first() is not None:
            print("A company already exists here.", file=sys.stderr)
            return 1
        try:
            company = await members.create_company(
                uow,
                args.company,
                timezone=args.timezone or app.settings.company_timezone,
                language=args.language or app.settings.default_language,
                schedule=app.settings.schedule,
            )
        except DomainError as error:
            print(f"Cannot create the company: {error.params}", file=sys.stderr)
            return 1
        await uow.commit()
    print(f"Company {company.name!r} created. Next: brygada invite create --role admin")
    return 0


async def _company(uow: UnitOfWork) -> Company | None:
    """The install's company, or None after saying how to make one."""
    company = await uow.companies.first()
    if company is None:
        print("No company yet: run brygada init --company NAME", file=sys.stderr)
        return None
    return company


async def _company_id(uow: UnitOfWork) -> int | None:
    company = await _company(uow)
    return company.id if company is not None else None


async def _company_set(app: App, args: argparse.Namespace) -> int:
    async with app.uow() as uow:
        company = await _company(uow)
        if company is None:
            return 1
        try:
            company = await members.set_company_country(uow, company, args.country)
        except DomainError as error:
            return _refused("set the country", error)
        await uow.commit()
    country = company.schedule.country or "none"
    print(f"{company.name}: public holidays of {country}.")
    return 0


async def _invite(app: App, args: argparse.Namespace) -> int:
    async with app.uow() as uow:
        company_id = await _company_id(uow)
        if company_id is None:
            return 1
        invite = await members.create_invite(uow, company_id, Role(args.role), app.clock.now())
        await uow.commit()
    bot = app.settings.telegram_bot_username
    link = f"https://t.me/{bot}?start={invite.code}" if bot else None
    if args.json:
        print(json.dumps({"code": invite.code, "link": link}))
    else:
        print(f"Invite code ({args.role}): {invite.code}")
        print(f"Join with: /join {invite.code}" + (f"  or open {link}" if link else ""))
    return 0


async def _member_email(app: App, args: argparse.Namespace) -> int:
    async with app.uow() as uow:
        company_id = await _company_id(uow)
        if company_id is None:
            return 1
        wanted = str(args.member).strip()
        people = [m for m in await uow.members.list(company_id) if m.active]
        found = [
            m
            for m in people
            if str(m.id) == wanted
            or m.handle == wanted.lstrip("@").lower()
            or m.name.casefold() == wanted.casefold()
        ]
        if len(found) != 1:
            problem = "No member" if not found else "More than one member"
            print(f"{problem} matches {wanted!r}.", file=sys.stderr)
            return 1
        member = found[0]
        if not args.clear and args.email is None:
            print(f"{member.name} (@{member.handle}): {member.email or 'no email'}")
            return 0
        try:
            await members.set_email(uow, member, None if args.clear else args.email)
        except DomainError as error:
            reason = error.params.get("reason", "invalid")
            print(f"Cannot set the email ({reason}): {args.email}", file=sys.stderr)
            return 1
        await uow.commit()
    print(f"{member.name} (@{member.handle}): {member.email or 'no email'}")
    return 0


def _refused(what: str, error: DomainError) -> int:
    """A rule said no: what and why, on standard error; nothing was changed."""
    p = error.params
    detail = ", ".join(f"{k}={v}" for k, v in p.items() if k != "field")
    print(f"Cannot {what}: {p.get('field', error.code)} ({detail})", file=sys.stderr)
    return 1


async def _member_set(app: App, args: argparse.Namespace) -> int:
    """brygada member set EMAIL --position … --manager EMAIL --department NAME --role …"""
    now = app.clock.now()
    async with app.uow() as uow:
        company_id = await _company_id(uow)
        if company_id is None:
            return 1
        try:
            member = await structure.find_member(uow, company_id, args.member)
            if args.role is not None:
                await structure.set_role(uow, None, member, Role(args.role), now)
            if args.position is not None:
                await structure.set_position(uow, None, member, args.position, now)
            if args.manager is not None:
                boss = (
                    None
                    if args.manager == "-"
                    else await structure.find_member(uow, company_id, args.manager)
                )
                await structure.set_manager(uow, None, member, boss, now)
            if args.department is not None:
                found = (
                    None
                    if args.department == "-"
                    else await structure.find_department(uow, company_id, args.department)
                )
                await structure.set_department(uow, None, member, found, now)
            if args.tz is not None:
                await structure.set_member_timezone(uow, None, member, args.tz, now)
            if args.lang is not None:
                await structure.set_member_language(uow, None, member, args.lang, now)
        except DomainError as error:
            return _refused(f"change {args.member}", error)
        await uow.commit()
    print(f"{member.name} (@{member.handle}): saved.")
    return 0


async def _project_add(app: App, args: argparse.Namespace) -> int:
    async with app.uow() as uow:
        company_id = await _company_id(uow)
        if company_id is None:
            return 1
        try:
            people = [await structure.find_member(uow, company_id, m) for m in args.member]
            project = await structure.add_project(
                uow, None, company_id, args.name, people, app.clock.now()
            )
        except DomainError as error:
            return _refused(f"create the project {args.name!r}", error)
        await uow.commit()
    print(
        f"Project {project.name!r} created" + (f" with {len(people)} members." if people else ".")
    )
    return 0


async def _department_add(app: App, args: argparse.Namespace) -> int:
    async with app.uow() as uow:
        company_id = await _company_id(uow)
        if company_id is None:
            return 1
        try:
            head = await structure.find_member(uow, company_id, args.head) if args.head else None
            department = await structure.add_department(
                uow, None, company_id, args.name, app.clock.now(), parent=args.parent, head=head
            )
        except DomainError as error:
            return _refused(f"create the department {args.name!r}", error)
        await uow.commit()
    print(f"Department {department.name!r} created.")
    return 0


async def _import_members(app: App, args: argparse.Namespace) -> int:
    """brygada import members staff.csv [--out codes.csv]: exit 0 when every row went
    in, 1 when some were refused (they are listed on standard error; the rest went in)."""
    import csv
    import io
    from pathlib import Path

    text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    rows, problems = staff.parse_staff(text)
    async with app.uow() as uow:
        company_id = await _company_id(uow)
        if company_id is None:
            return 1
        result = await staff.import_staff(uow, company_id, rows, app.clock.now())
        await uow.commit()
    bot = app.settings.telegram_bot_username
    codes = io.StringIO()
    writer = csv.writer(codes, lineterminator="\n")
    writer.writerow(["name", "email", "code", "link"])
    for invitation in result.invitations:
        code = invitation.code or ""
        link = f"https://t.me/{bot}?start={code}" if bot and code else ""
        writer.writerow([invitation.name, invitation.email or "", code, link])
    if args.out:
        Path(args.out).write_text(codes.getvalue(), encoding="utf-8")
    else:
        sys.stdout.write(codes.getvalue())
    for line, problem in sorted([*problems, *result.problems]):
        print(f"{args.file}:{line}: {problem} (row skipped)", file=sys.stderr)
    print(
        f"{result.created} created, {result.updated} updated, "
        f"{len(problems) + len(result.problems)} refused.",
        file=sys.stderr,
    )
    return 1 if problems or result.problems else 0


async def _forms(app: App, args: argparse.Namespace) -> int:
    from brygada.lead_forms import create_form

    try:
        token = await create_form(app, args.name)
    except DomainError as error:
        print(f"Cannot create the form: {error.params}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"token": token}))
    else:
        host, port = app.settings.http_host, app.settings.http_port
        print(f"Form {args.name!r}: POST leads to http://{host}:{port}/api/leads/{token}")
    return 0


async def _shell(app: App, persona: str) -> int:
    from bots.console.chat import ConsoleChat, ConsoleScreen, ensure_console_identity

    member = await ensure_console_identity(app.uow, persona)
    if member is None:
        print(f"No member called {persona!r}.", file=sys.stderr)
        return 1
    from scheduler.jobs import start_scheduler
    from storage.maintenance import refresh_statistics

    chat = ConsoleChat(
        app.conversation, app.uow, member, ConsoleScreen(files=app.settings.files_path)
    )
    # The terminal is the chat: only warnings and errors (with their ids) interleave.
    logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))
    # The console is a chat platform like the others: scheduled prompts and
    # notifications reach its personas through the same sweep and outbox.
    scheduler = start_scheduler(
        app.sweeper(),
        app.dispatcher({"console": chat.notifier()}),
        sweep_seconds=app.settings.sweep_interval_seconds,
        outbox_seconds=0.3,
        statistics=partial(refresh_statistics, app.uow),
        housekeeping=app.housekeeping(),
    )
    web = await _console_web(app)
    print(f"Brygada console — you are {member.name} (@{member.handle}).")
    print("Write a task as a message; /help for commands; numbers press buttons;")
    print("/as NAME plays another member; /quit leaves.")
    try:
        await chat.run()
    finally:
        await scheduler.shutdown()
        if web is not None:
            await web.cleanup()
    return 0


async def _console_web(app: App) -> aiohttp_web.AppRunner | None:
    """With a public URL the console serves the HTTP side too, so the links ``/board``
    answers open the board (and lead forms are taken); None when it cannot listen."""
    settings = app.settings
    if not settings.public_url:
        return None
    from brygada.server import build_web_app

    runner = aiohttp_web.AppRunner(build_web_app(app))
    await runner.setup()
    try:
        await aiohttp_web.TCPSite(runner, settings.http_host, settings.http_port).start()
    except OSError as error:
        print(
            f"The board is off: cannot listen on {settings.http_host}:{settings.http_port}"
            f" ({error.strerror or error}).",
            file=sys.stderr,
        )
        await runner.cleanup()
        return None
    print(f"The board: {settings.board_url} (/board gives you a sign-in link).")
    return runner


async def _run(app: App, role: str = "all-in-one") -> int:
    from brygada.server import parse_roles, serve

    try:
        roles = parse_roles(role)
    except ValueError as error:
        print(f"brygada run --role: {error}", file=sys.stderr)
        return 2
    if roles != {"all-in-one"} and app.engine.dialect.name != "postgresql":
        print(
            "brygada run --role needs PostgreSQL (BRYGADA_DATABASE_URL=postgresql+asyncpg://...):"
            " replicas share its locks. On SQLite run `brygada run` (all-in-one).",
            file=sys.stderr,
        )
        return 2
    platforms = app.settings.chat_platforms
    if not platforms:
        handle = await ensure_demo_company(
            app.uow,
            app.clock,
            timezone=app.settings.company_timezone,
            language=app.settings.default_language,
        )
        print("No chat platform configured: starting the console chat on a demo company.")
        print("To connect Telegram set TELEGRAM_BOT_TOKEN; for Slack set SLACK_BOT_TOKEN and")
        print("SLACK_SIGNING_SECRET (see README.md). Try: Sales: Call Ivan tomorrow 10:00 @anna")
        return await _shell(app, handle)
    print(
        f"Starting Brygada ({role}): {', '.join(platforms)}; HTTP on "
        f"{app.settings.http_host}:{app.settings.http_port}. Ctrl+C stops it."
    )
    return await serve(app, roles=roles)
