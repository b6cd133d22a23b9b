"""The board's HTTP routes under /app on the one aiohttp server (``brygada.server``).

/app/login?t=…  a /board link: spent once, opens a session, redirects to the board
/app/tg         the Telegram Mini App's entry: its script posts ``initData``, which is
                verified (``safe_parse_webapp_init_data``, and not older than the
                setting), then the session opens
/app/board, /app/team, /app/calendar, /app/time, /app/funnel   the views (GET)
/app/tasks/<id>/<action>   a card's action (POST, CSRF token required)

The session is a signed token (``handlers.board``). A link's session lives in an HttpOnly,
SameSite=Lax cookie, Secure when the public address is https. A Telegram session ("tg")
uses no cookie at all: Telegram's web client shows a Mini App in an iframe of another
site, where a Lax cookie is not sent and a SameSite=None one is blocked or partitioned by
more and more browsers. Instead the board's script keeps the session token in memory,
navigates by ``fetch`` and sends, with every request, the token (``X-Board-Session``)
and Telegram's ``initData`` (``X-Telegram-Init-Data``). Headers rather than the query
string or form fields: they stay out of URLs (history, logs, Referer), and a page of
another site cannot set them on a cross-site request without CORS. Every request of a
tg session has its ``initData`` verified again (signature, age, and the Telegram user
still the session's member); without it the request is refused.

What a view shows and what an action does is decided in ``handlers.board``; this module
only speaks HTTP.
"""

from __future__ import annotations

import base64
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiogram.utils.web_app import safe_parse_webapp_init_data
from aiohttp import web

from bots.web.render import Pages
from domain.company import Member
from domain.errors import DomainError, InvalidInput
from domain.ports import Clock, UnitOfWork
from handlers import board
from handlers.charts import BLUE, GREEN, bar_chart
from handlers.rendering import duration, label
from handlers.tokens import TokenSigner
from handlers.turn import pick_language

log = logging.getLogger(__name__)

COOKIE = "brygada_board"
SESSION_HEADER = "X-Board-Session"
INIT_DATA_HEADER = "X-Telegram-Init-Data"
STATIC = Path(__file__).with_name("static")
VIEWS = ("board", "team", "calendar", "time", "funnel")
# Pages: own scripts and styles only (Telegram's script on Mini App pages), images inline.
_CSP = (
    "default-src 'self'; script-src 'self' https://telegram.org; style-src 'self'; "
    "img-src 'self' data:; frame-ancestors *; form-action 'self'; base-uri 'none'"
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class BoardConfig:
    """What the board needs to know of the install (``brygada.board`` reads the settings)."""

    secure: bool  # served over https: the session cookie is Secure
    session_ttl: timedelta
    init_data_age: timedelta  # the oldest Telegram initData accepted
    bot_token: str | None  # checks initData; None: no Mini App sign-in


class Board:
    def __init__(
        self,
        config: BoardConfig,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        signer: TokenSigner,
    ) -> None:
        self.uow, self.clock, self.signer = uow, clock, signer
        self.pages = Pages()
        self.secure = config.secure
        self.session_ttl = config.session_ttl
        self.init_data_age = config.init_data_age
        self.bot_token = config.bot_token

    # -- helpers ------------------------------------------------------------------------

    def _page(
        self, name: str, member: Member | None, status: int = 200, **context: Any
    ) -> web.Response:
        lang = pick_language(member, None, None)
        tz = member.timezone if member else "UTC"
        html = self.pages.render(name, lang, tz, now=self.clock.now(), **context)
        response = web.Response(text=html, content_type="text/html", status=status)
        response.headers["Content-Security-Policy"] = _CSP
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    def _refused(self, reason: str, status: int = 403) -> web.Response:
        return self._page("refused.html", None, status, reason=reason)

    def _signed_in(self, member: Member, via: str, to: str) -> web.StreamResponse:
        now = self.clock.now()
        value = board.open_session(self.signer, member.id, now, self.session_ttl, via)
        if via == "tg":  # no cookie: the script sends the token with initData (see above)
            return web.json_response({"next": to, "session": value})
        response = _see_other(to)
        response.set_cookie(
            COOKIE,
            value,
            max_age=int(self.session_ttl.total_seconds()),
            path="/app",
            httponly=True,
            samesite="Lax",
            secure=self.secure,
        )
        return response

    def _session(self, request: web.Request) -> board.Session | None:
        value = request.headers.get(SESSION_HEADER) or request.cookies.get(COOKIE)
        return board.read_session(self.signer, value, self.clock.now())

    def _telegram_user(self, request: web.Request) -> int:
        """The Telegram user of the request's ``initData``: signed with the bot's token
        and not older than the setting; else refused (init_data, init_data_expired)."""
        init_data = request.headers.get(INIT_DATA_HEADER, "")
        if self.bot_token is None or not init_data:
            raise board.BoardRefused(reason="init_data")
        try:
            data = safe_parse_webapp_init_data(self.bot_token, init_data)
        except ValueError:
            log.warning("board: forged or broken Telegram initData refused")
            raise board.BoardRefused(reason="init_data") from None
        if data.user is None:
            raise board.BoardRefused(reason="init_data")
        if self.clock.now() - data.auth_date > self.init_data_age:
            raise board.BoardRefused(reason="init_data_expired")
        return data.user.id

    async def _member(
        self, uow: UnitOfWork, request: web.Request, session: board.Session
    ) -> Member:
        """The session's member, still active; a Telegram session's request must carry
        valid ``initData`` of that same member (checked on every request)."""
        if session.via != "tg":
            return await board.active_member(uow, session.member_id)
        assert self.bot_token is not None  # a tg session is opened only with a token
        user_id = self._telegram_user(request)
        member = await board.telegram_member(uow, _bot_id(self.bot_token), user_id)
        if member.id != session.member_id:
            log.warning("board: initData of another Telegram user on a session refused")
            raise board.BoardRefused(reason="init_data")
        return member

    # -- entry ----------------------------------------------------------------------------

    async def login(self, request: web.Request) -> web.StreamResponse:
        token = request.query.get("t", "")
        try:
            async with self.uow() as uow:
                member = await board.use_link(uow, self.signer, token, self.clock.now())
                await uow.commit()
        except board.BoardRefused as refused:
            return self._refused(str(refused.params.get("reason")))
        return self._signed_in(member, "link", "/app/board")

    async def telegram_page(self, request: web.Request) -> web.StreamResponse:
        return self._page("tg.html", None)

    async def telegram_login(self, request: web.Request) -> web.StreamResponse:
        """``initData`` from the Mini App's script (the header), checked with the bot's
        token and its age; then the Telegram user's member is signed in: the answer
        holds the session token the script sends back with every request."""
        try:
            user_id = self._telegram_user(request)
            assert self.bot_token is not None
            async with self.uow() as uow:
                member = await board.telegram_member(uow, _bot_id(self.bot_token), user_id)
        except board.BoardRefused as refused:
            return web.json_response({"error": refused.params.get("reason")}, status=403)
        return self._signed_in(member, "tg", "/app/board")

    # -- views ----------------------------------------------------------------------------

    async def view(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["view"]
        session = self._session(request)
        if session is None:
            return self._refused("session", 401)
        filters = board.Filters.parse(request.query)
        now = self.clock.now()
        context: dict[str, Any] = {"refusal": None, "reason": None}
        try:
            async with self.uow() as uow:
                member = await self._member(uow, request, session)
                me = await board.viewer(uow, member)
                try:
                    context.update(await self._view_context(uow, name, me, filters, now))
                except DomainError as error:
                    context.update(refusal=error.code, reason=error.params.get("reason"))
        except board.BoardRefused as refused:
            return self._refused(str(refused.params.get("reason")))
        except Exception:
            error_id = secrets.token_hex(4)
            log.exception("error %s: board view %s", error_id, name)
            return self._page("refused.html", None, 500, reason=f"unexpected:{error_id}")
        return self._page(
            f"{name}.html",
            member,
            view=name,
            me=me,
            filters=filters,
            csrf=board.csrf_token(self.signer, session),
            telegram=session.via == "tg",
            back=_back(request.path, filters),
            here=_here(filters),
            opened=_opened(request),
            notice=request.query.get("n"),
            error=request.query.get("e"),
            **context,
        )

    async def _view_context(
        self, uow: Any, name: str, me: board.Viewer, filters: board.Filters, now: Any
    ) -> dict[str, Any]:
        if name == "board":
            return {"board": await board.my_board(uow, me, filters, now)}
        if name == "team":
            return {"rows": await board.team_view(uow, me, filters, now)}
        if name == "calendar":
            return {"weeks": await board.calendar(uow, me, filters, now)}
        if name == "time":
            view = await board.time_view(uow, me, filters, now)
            chart = _plan_fact_chart(view, pick_language(me.member, None, None))
            return {"time": view, "chart": chart}
        return {"funnels": await board.funnel_view(uow, me, filters, now)}

    # -- actions --------------------------------------------------------------------------

    async def act(self, request: web.Request) -> web.StreamResponse:
        session = self._session(request)
        if session is None:
            return self._refused("session", 401)
        form = await request.post()
        if not board.csrf_ok(self.signer, session, str(form.get("csrf", ""))):
            return self._refused("csrf", 403)
        back = str(form.get("back", "")) or "/app/board"
        if not back.startswith("/app/"):
            back = "/app/board"
        action = request.match_info["action"]
        fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
        try:
            task_id = int(request.match_info["task_id"])
            async with self.uow() as uow:
                member = await self._member(uow, request, session)
                await board.act(uow, member, task_id, action, self.clock.now(), fields)
                await uow.commit()
        except board.BoardRefused as refused:
            return self._refused(str(refused.params.get("reason")))
        except DomainError as error:
            reason = error.params.get("field") if isinstance(error, InvalidInput) else None
            return _see_other(_with(back, e=reason or error.code))
        except Exception:
            error_id = secrets.token_hex(4)
            log.exception("error %s: board action %s", error_id, action)
            return _see_other(_with(back, e=f"unexpected:{error_id}"))
        return _see_other(_with(back, n=action))


def _bot_id(token: str) -> str:
    """The bot's id (a Telegram identity's workspace) is the token's part before ':'."""
    return token.split(":", 1)[0]


def _back(path: str, filters: board.Filters) -> str:
    """Where an action returns: the view with its filters (not the open form, not the
    notice of the previous action)."""
    query = urlencode(filters.query())
    return f"{path}?{query}" if query else path


def _here(filters: board.Filters) -> str:
    """The filters as the start of a query string that more parameters follow."""
    query = urlencode(filters.query())
    return f"{query}&" if query else ""


def _opened(request: web.Request) -> tuple[str, int] | None:
    """The one card whose Done or Deadline form is open (?done=12, ?move=12)."""
    for kind in ("done", "move"):
        value = request.query.get(kind, "")
        if value.isdigit():
            return kind, int(value)
    return None


def _with(back: str, **params: str) -> str:
    path, _, query = back.partition("?")
    kept = [p for p in query.split("&") if p and not p.startswith(("n=", "e="))]
    return f"{path}?{'&'.join([*kept, urlencode(params)])}"


def _plan_fact_chart(view: board.TimeView, lang: str) -> str | None:
    """The chat's plan-vs-fact chart (handlers.charts), inline as a data: URI."""
    rows = view.plan_fact.by_member()
    if not rows:
        return None
    image = bar_chart(
        label(lang, "board.chart_title"),
        [name for name, _, _ in rows],
        [
            (label(lang, "board.planned"), [p / 60 for _, p, _ in rows], BLUE),
            (label(lang, "board.tracked"), [t / 60 for _, _, t in rows], GREEN),
        ],
        note=lambda hours: duration(round(hours * 60), lang),
    )
    return "data:image/png;base64," + base64.b64encode(image).decode() if image else None


def setup_board_routes(web_app: web.Application, handler: Board) -> Board:
    router = web_app.router
    router.add_get("/app", _to_board)
    router.add_get("/app/", _to_board)
    router.add_get("/app/login", handler.login)
    router.add_get("/app/tg", handler.telegram_page)
    router.add_post("/app/tg", handler.telegram_login)
    router.add_get("/app/{view:board|team|calendar|time|funnel}", handler.view)
    router.add_post(r"/app/tasks/{task_id:\d+}/{action:[a-z]+}", handler.act)
    router.add_static("/app/static", STATIC, append_version=False)
    return handler


async def _to_board(_request: web.Request) -> web.StreamResponse:
    return _see_other("/app/board")


def _see_other(to: str) -> web.Response:
    return web.Response(status=303, headers={"Location": to})
