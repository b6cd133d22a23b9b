"""The web adapter: the manager's board and Telegram Mini App under /app (``bots.web.app``)."""

from bots.web.app import Board, BoardConfig, setup_board_routes

__all__ = ["Board", "BoardConfig", "setup_board_routes"]
