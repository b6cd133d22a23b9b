"""The ``brygada`` command: migrate, init, invite, member, shell, run."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence

from brygada.bootstrap import App, bootstrap
from brygada.demo import ensure_demo_company
from brygada.settings import Settings
from domain.company import Role
from domain.errors import DomainError
from domain.ports import UnitOfWork
from domain.services import members

log = logging.getLogger("brygada")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="brygada", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations")
    init = sub.add_parser("init", help="create the company (applies migrations first)")
    init.add_argument("--company", required=True)
    init.add_argument("--timezone")
    init.add_argument("--language")
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
    shell = sub.add_parser("shell", help="chat in the terminal as a member")
    shell.add_argument("--as", dest="persona", required=True, help="@handle or name")
    sub.add_parser("run", help="run the configured chat platforms, else the console demo")
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
            case "invite":
                return await _invite(app, args)
            case "member":
                return await _member_email(app, args)
            case "shell":
                return await _shell(app, args.persona)
            case "run":
                return await _run(app)
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


async def _company_id(uow: UnitOfWork) -> int | None:
    """The install's company, or None after saying how to make one."""
    company = await uow.companies.first()
    if company is None or company.id is None:
        print("No company yet: run brygada init --company NAME", file=sys.stderr)
        return None
    return company.id


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


async def _forms(app: App, args: argparse.Namespace) -> int:
    from brygada.forms import create_form

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
        units_of_work=app.uow,
        housekeeping=app.housekeeping(),
    )
    print(f"Brygada console — you are {member.name} (@{member.handle}).")
    print("Write a task as a message; /help for commands; numbers press buttons;")
    print("/as NAME plays another member; /quit leaves.")
    try:
        await chat.run()
    finally:
        await scheduler.shutdown()
    return 0


async def _run(app: App) -> int:
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
    from brygada.server import serve

    print(
        f"Starting Brygada: {', '.join(platforms)}; HTTP on "
        f"{app.settings.http_host}:{app.settings.http_port}. Ctrl+C stops it."
    )
    return await serve(app)
