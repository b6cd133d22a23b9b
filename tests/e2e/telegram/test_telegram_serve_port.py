"""`brygada run` binds its HTTP port before it says a word to Telegram: a second copy
started with the same settings stops there, without polling (which would take updates
away from the first) or moving the webhook."""

from __future__ import annotations

import logging
import socket

import pytest
from pydantic import SecretStr

from brygada.bootstrap import App
from brygada.server import serve
from tests.e2e.telegram.conftest import TOKEN
from tests.fakes.telegram_api import FakeTelegramAPI


async def test_a_second_copy_stops_before_polling(
    app: App, api: FakeTelegramAPI, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as first_copy:  # the port the first copy listens on
        first_copy.bind(("127.0.0.1", 0))
        first_copy.listen()
        port = first_copy.getsockname()[1]
        app.settings = app.settings.model_copy(
            update={
                "telegram_bot_token": SecretStr(TOKEN),
                "telegram_api_url": api.base_url,
                "http_port": port,
            }
        )
        caplog.set_level(logging.ERROR, logger="brygada.server")
        assert await serve(app) == 1
    assert api.calls == []  # not even getMe: nothing was started
    assert "is another Brygada running" in caplog.text
