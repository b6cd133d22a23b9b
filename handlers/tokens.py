"""Compact signed button tokens (Telegram allows 64 bytes of callback_data).

A token is ``action:arg:arg:signature``. The signature is a truncated HMAC of the
rest with the server secret, so a forged or altered token is refused. A valid
token proves only that *we* issued it: permissions are re-checked at press time.
"""

from __future__ import annotations

import base64
import hmac

from domain.errors import DomainError

MAX_TOKEN_BYTES = 64
_SIG_CHARS = 11  # 66 bits of HMAC-SHA256: enough against guessing, small enough for 64 bytes
_SEP = ":"


class BadToken(DomainError):
    """A button whose token is forged, altered or from another install."""

    code = "bad_token"


class TokenSigner:
    def __init__(self, secret: str) -> None:
        if len(secret) < 16:
            raise ValueError("the token secret must be at least 16 characters")
        self._key = secret.encode()

    def _signature(self, payload: str) -> str:
        # 9 bytes are 12 base64 characters: the same first 11 as encoding the whole digest.
        digest = hmac.digest(self._key, payload.encode(), "sha256")
        return base64.urlsafe_b64encode(digest[:9]).decode()[:_SIG_CHARS]

    def sign(self, action: str, *args: object) -> str:
        parts = [action, *(str(a) for a in args)]
        if any(_SEP in p for p in parts):
            raise ValueError(f"token parts may not contain {_SEP!r}")
        payload = _SEP.join(parts)
        token = f"{payload}{_SEP}{self._signature(payload)}"
        if len(token.encode()) > MAX_TOKEN_BYTES:
            raise ValueError(f"token over {MAX_TOKEN_BYTES} bytes: {token!r}")
        return token

    def verify(self, token: str) -> tuple[str, list[str]]:
        payload, sep, signature = token.rpartition(_SEP)
        if (
            not sep
            or not payload
            or not hmac.compare_digest(signature.encode(), self._signature(payload).encode())
        ):
            raise BadToken()
        action, *args = payload.split(_SEP)
        return action, args
