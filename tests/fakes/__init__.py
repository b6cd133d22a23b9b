"""Loopback fakes of the Telegram Bot API and the Slack Web API.

The production adapters talk to the real services through the real clients (aiogram's
``Bot`` and slack-sdk's ``AsyncWebClient``).  In tests those clients are pointed at the
fakes in this package, which serve the same wire protocol on ``127.0.0.1`` with an
ephemeral port::

    async with FakeTelegramAPI() as api:
        bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)))

    async with FakeSlackAPI() as api:
        client = AsyncWebClient(token="xoxb-test", base_url=f"{api.base_url}/api/")

This module holds what both fakes share: the :class:`Call` record, the
:class:`UploadedFile` value, the failure/delay injection queues and
:class:`FakeAPIServer`, the aiohttp server life cycle with call recording.
``FakeTelegramAPI`` and ``FakeSlackAPI`` are re-exported lazily (they import this module).
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import time
from collections import deque
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from aiohttp import web

if TYPE_CHECKING:
    from tests.fakes.slack_api import FakeSlackAPI
    from tests.fakes.telegram_api import FakeTelegramAPI

__all__ = [
    "Call",
    "FakeAPIServer",
    "FakeSlackAPI",
    "FakeTelegramAPI",
    "InjectedFailure",
    "UploadedFile",
]

ANY_METHOD = "*"
"""Method name that makes :meth:`FakeAPIServer.delay_next` / ``fail_next`` match any call."""


@dataclass
class Call:
    """One API call received by a fake.

    ``params`` are the decoded request parameters (query string, form fields, multipart
    fields and JSON bodies merged; JSON-encoded form values such as ``reply_markup`` or
    ``blocks`` are decoded; uploaded files are :class:`UploadedFile`).  ``at`` is the
    ``time.monotonic()`` of the request's arrival and ``response`` the JSON body answered.
    """

    method: str
    params: dict[str, Any]
    at: float
    response: dict[str, Any]
    status: int = 200

    @property
    def ok(self) -> bool:
        """Whether the call was answered with HTTP 200 and ``"ok": true``."""
        return self.status == 200 and bool(self.response.get("ok"))


@dataclass(frozen=True)
class UploadedFile:
    """A file received in a multipart request (or in a raw upload body)."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class InjectedFailure:
    """A failure queued with ``fail_next``: the HTTP status and the error details."""

    status: int
    retry_after: int
    message: str | None = None


class FakeAPIServer(abc.ABC):
    """Base of the fakes: aiohttp server life cycle, call log, failure and delay queues.

    Subclasses implement :meth:`_build_app` and, when method names are case-insensitive,
    :meth:`_canonical`.  Handlers call :meth:`_apply_delay`, :meth:`_take_failure` and
    :meth:`_record`.
    """

    def __init__(self, *, host: str = "127.0.0.1") -> None:
        """Create a stopped server bound (after :meth:`start`) to ``host`` on port 0."""
        self.calls: list[Call] = []
        self.rejected_429: int = 0
        self._host = host
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None
        self._closing = asyncio.Event()
        self._call_event = asyncio.Event()
        self._failures: dict[str, deque[InjectedFailure]] = {}
        self._delays: dict[str, deque[float]] = {}

    # ------------------------------------------------------------------ life cycle

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` of the running server."""
        if self._base_url is None:
            raise RuntimeError(f"{type(self).__name__} is not started; call start() first")
        return self._base_url

    @property
    def running(self) -> bool:
        """Whether the server is listening."""
        return self._runner is not None

    async def start(self) -> str:
        """Start serving on an ephemeral port and return the base URL (idempotent)."""
        if self._runner is not None:
            return self.base_url
        self._closing.clear()
        runner = web.AppRunner(self._build_app(), access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, self._host, 0)
        await site.start()
        port = runner.addresses[0][1]
        self._runner = runner
        self._base_url = f"http://{self._host}:{port}"
        return self._base_url

    async def stop(self) -> None:
        """Stop serving; pending long polls and injected delays are released at once."""
        if self._runner is None:
            return
        self._closing.set()
        self._on_closing()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ call log

    def calls_to(self, method: str) -> list[Call]:
        """All recorded calls of ``method`` (in arrival order of their answers)."""
        wanted = self._canonical(method)
        return [call for call in self.calls if call.method == wanted]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until ``count`` calls of ``method`` were recorded and return all of them.

        Raises ``AssertionError`` listing the recorded methods when ``timeout`` expires.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = self.calls_to(method)
            if len(found) >= count:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                recorded = [call.method for call in self.calls]
                raise AssertionError(
                    f"{type(self).__name__}: expected {count} call(s) to {method!r} within "
                    f"{timeout}s, got {len(found)}; recorded methods: {recorded}"
                )
            self._call_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._call_event.wait(), remaining)

    def clear_calls(self) -> None:
        """Forget the recorded calls and reset :attr:`rejected_429` (state is kept)."""
        self.calls.clear()
        self.rejected_429 = 0

    # ------------------------------------------------------------------ injection

    def delay_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` (``"*"``: any) ``seconds`` late."""
        if seconds < 0 or times < 1:
            raise ValueError("seconds must be >= 0 and times >= 1")
        queue = self._delays.setdefault(self._injection_key(method), deque())
        queue.extend([seconds] * times)

    def clear_injections(self) -> None:
        """Drop all queued failures and delays."""
        self._failures.clear()
        self._delays.clear()

    def _queue_failure(self, method: str, failure: InjectedFailure, times: int) -> None:
        if times < 1:
            raise ValueError("times must be >= 1")
        queue = self._failures.setdefault(self._injection_key(method), deque())
        queue.extend([failure] * times)

    def _injection_key(self, method: str) -> str:
        return method if method == ANY_METHOD else self._canonical(method)

    def _take_failure(self, method: str) -> InjectedFailure | None:
        for key in (method, ANY_METHOD):
            queue = self._failures.get(key)
            if queue:
                return queue.popleft()
        return None

    async def _apply_delay(self, method: str) -> None:
        for key in (method, ANY_METHOD):
            queue = self._delays.get(key)
            if queue:
                await self._sleep(queue.popleft())
                return

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but return early when the server is stopping."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    # ------------------------------------------------------------------ subclass hooks

    @abc.abstractmethod
    def _build_app(self) -> web.Application:
        """Build the aiohttp application with the fake's routes."""

    def _canonical(self, method: str) -> str:
        """Normalise a method name as the service does (identity by default)."""
        return method

    def _on_closing(self) -> None:
        """Wake up anything waiting inside a handler (long polls); called by stop().

        Subclasses extend this; the base wakes :meth:`wait_for` so it re-checks at once.
        """
        self._call_event.set()

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        response: dict[str, Any],
        *,
        status: int,
        arrived: float,
    ) -> Call:
        call = Call(method=method, params=params, at=arrived, response=response, status=status)
        if status == 429:
            self.rejected_429 += 1
        self.calls.append(call)
        self._call_event.set()
        return call

    @staticmethod
    def _now() -> float:
        return time.monotonic()


def __getattr__(name: str) -> Any:
    """Lazily re-export the fakes (their modules import this one)."""
    if name == "FakeTelegramAPI":
        from tests.fakes.telegram_api import FakeTelegramAPI

        return FakeTelegramAPI
    if name == "FakeSlackAPI":
        from tests.fakes.slack_api import FakeSlackAPI

        return FakeSlackAPI
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
