"""The web adapter: the manager's board and Telegram Mini App under /app (``bots.web.app``)."""

from bots.web.app import setup_board_routes

__all__ = ["setup_board_routes"]
