"""The manager's board of a composed app: its part of the settings, and its routes."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from bots.web import Board, BoardConfig, setup_board_routes
from brygada.bootstrap import App
from brygada.settings import Settings


def board_config(settings: Settings) -> BoardConfig:
    token = settings.telegram_bot_token
    return BoardConfig(
        secure=(settings.public_url or "").startswith("https://"),
        session_ttl=timedelta(minutes=settings.board_session_minutes),
        init_data_age=timedelta(seconds=settings.board_init_data_max_age_seconds),
        bot_token=token.get_secret_value() if token else None,
    )


def mount_board(web_app: web.Application, app: App) -> Board:
    """Serve the board under /app of the app's one aiohttp server."""
    board = Board(board_config(app.settings), app.uow, app.clock, app.signer)
    return setup_board_routes(web_app, board)
