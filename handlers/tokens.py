"""Compact signed button tokens (Telegram allows 64 bytes of callback_data).

A button's action is a small frozen dataclass (``handlers.buttons``) with a stable short
code; its token is ``code:field:field:signature``. The signature is a truncated HMAC of
the rest with the server secret, so a forged or altered token is refused. A valid token
proves only that *we* issued it: permissions are re-checked at press time.

The field types say how each field is written and read back: ``int``, ``str``, ``bool``,
an ``Enum`` (by value), a ``Literal``, ``X | None`` (None is an empty field), or
``Annotated[X, ...]`` with ``Codes`` (fixed short strings for some values) or a
``FieldCodec`` of its own. Trailing fields with a default are left out when they hold it,
so adding one keeps the buttons already sent working. A token is read back in one
place (``TokenSigner.read``): an unknown code, a wrong number of fields or a malformed
one is a ``BadToken``, like a forged signature.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import hmac
import re
import types
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal, Protocol, Union, get_args, get_origin
from typing import get_type_hints as _type_hints

from domain.errors import DomainError

MAX_TOKEN_BYTES = 64
_SIG_CHARS = 11  # 66 bits of HMAC-SHA256: enough against guessing, small enough for 64 bytes
_SEP = ":"
_CODE = re.compile(r"[A-Za-z]{1,4}")
_INT = re.compile(r"-?[0-9]{1,19}")


class BadToken(DomainError):
    """A button whose token is forged, altered, from another install, or names an
    action (or fields) this version does not know."""

    code = "bad_token"


class ButtonAction:
    """What a button does when pressed: subclass as a frozen dataclass whose fields are
    the button's arguments, with a short code unique among all actions::

        @dataclass(frozen=True)
        class PauseTimer(ButtonAction, code="tmp"):
            on_card: bool = False

    The code goes into every token: never change or reuse one, or the buttons already
    sent in chats stop working (or do something else).
    """

    code: ClassVar[str]

    def __init_subclass__(cls, *, code: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not _CODE.fullmatch(code):
            raise ValueError(f"a button code is 1-4 letters: {code!r}")
        cls.code = code


class FieldCodec(Protocol):
    """How a field of a type the tokens do not know is written (``Annotated[T, codec]``)."""

    def dump(self, value: Any) -> str: ...

    def load(self, raw: str) -> Any:
        """The value; ValueError when ``raw`` is not one."""


class Codes:
    """``Annotated[Verdict, Codes({Verdict.APPROVE: "a", ...})]``: these values are written
    as these short strings; any other value by its type's own rule."""

    def __init__(self, codes: Mapping[Any, str]) -> None:
        self.codes = tuple(codes.items())

    def __repr__(self) -> str:
        return f"Codes({dict(self.codes)!r})"


class _Int:
    def dump(self, value: Any) -> str:
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"not an int: {value!r}")
        return str(value)

    def load(self, raw: str) -> int:
        if not _INT.fullmatch(raw):
            raise ValueError(raw)
        return int(raw)


class _Str:
    def dump(self, value: Any) -> str:
        if not isinstance(value, str):
            raise TypeError(f"not a str: {value!r}")
        return value

    def load(self, raw: str) -> str:
        return raw


class _Choice:
    """A bool, an Enum or a Literal: one of a fixed set of values, each with its string."""

    def __init__(self, values: Mapping[Any, str]) -> None:
        self._dump: dict[Any, str] = dict(values)
        self._load: dict[str, Any] = {text: value for value, text in values.items()}

    def dump(self, value: Any) -> str:
        # Compared with their types: True == 1, but a bool field takes no int.
        for known, text in self._dump.items():
            if known == value and type(known) is type(value):
                return text
        raise TypeError(f"not one of {list(self._dump)}: {value!r}")

    def load(self, raw: str) -> Any:
        if raw not in self._load:
            raise ValueError(raw)
        return self._load[raw]


class _Optional:
    def __init__(self, inner: FieldCodec) -> None:
        self._inner = inner

    def dump(self, value: Any) -> str:
        return "" if value is None else self._inner.dump(value)

    def load(self, raw: str) -> Any:
        return None if raw == "" else self._inner.load(raw)


class _Coded:
    def __init__(self, codes: Codes, inner: FieldCodec | None) -> None:
        self._codes = codes.codes
        self._inner = inner

    def dump(self, value: Any) -> str:
        for known, text in self._codes:
            if known == value and type(known) is type(value):
                return str(text)
        if self._inner is None:
            raise TypeError(f"no code for {value!r}")
        return self._inner.dump(value)

    def load(self, raw: str) -> Any:
        for value, text in self._codes:
            if text == raw:
                return value
        if self._inner is None:
            raise ValueError(raw)
        return self._inner.load(raw)


def _codec(hint: Any) -> FieldCodec | None:
    """The codec for a field's type; None for a type the tokens cannot write."""
    origin = get_origin(hint)
    if origin is Annotated:
        inner, *metadata = get_args(hint)
        for meta in metadata:
            if isinstance(meta, Codes):
                return _Coded(meta, _codec(inner))
            if callable(getattr(meta, "dump", None)) and callable(getattr(meta, "load", None)):
                return meta  # type: ignore[no-any-return]
        return _codec(inner)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(hint) if a is not type(None)]
        if len(options) != 1 or len(options) == len(get_args(hint)):
            return None  # only ``X | None``
        inner_codec = _codec(options[0])
        return _Optional(inner_codec) if inner_codec is not None else None
    if origin is Literal:
        return _Choice({value: str(value) for value in get_args(hint)})
    if hint is bool:
        return _Choice({True: "1", False: "0"})
    if hint is int:
        return _Int()
    if hint is str:
        return _Str()
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _Choice({member: str(member.value) for member in hint})
    return None


@dataclasses.dataclass(frozen=True)
class _Field:
    name: str
    codec: FieldCodec
    default: Any = dataclasses.MISSING


def _layout(cls: type[ButtonAction]) -> tuple[_Field, ...]:
    """The fields of an action type in token order, each with its codec."""
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__} is not a dataclass")
    hints = _type_hints(cls, include_extras=True)
    layout = []
    for spec in dataclasses.fields(cls):
        codec = _codec(hints[spec.name])
        if codec is None:
            raise TypeError(f"{cls.__name__}.{spec.name}: a button cannot carry {hints[spec.name]}")
        layout.append(_Field(spec.name, codec, spec.default))
    return tuple(layout)


class TokenSigner:
    def __init__(self, secret: str) -> None:
        if len(secret) < 16:
            raise ValueError("the token secret must be at least 16 characters")
        self._key = secret.encode()
        # Per action type, worked out on first use (an instance's, not a module's, cache).
        self._layouts: dict[type[ButtonAction], tuple[_Field, ...]] = {}

    def _signature(self, payload: str) -> str:
        # 9 bytes are 12 base64 characters: the same first 11 as encoding the whole digest.
        digest = hmac.digest(self._key, payload.encode(), "sha256")
        return base64.urlsafe_b64encode(digest[:9]).decode()[:_SIG_CHARS]

    def layout(self, cls: type[ButtonAction]) -> tuple[_Field, ...]:
        found = self._layouts.get(cls)
        if found is None:
            found = self._layouts[cls] = _layout(cls)
        return found

    def sign(self, action: ButtonAction) -> str:
        """The token of a button that does ``action``; ValueError when over 64 bytes."""
        fields = self.layout(type(action))
        values = [getattr(action, f.name) for f in fields]
        # Trailing defaults are left out: a token of today reads the same tomorrow.
        written = len(fields)
        while written and fields[written - 1].default is not dataclasses.MISSING:
            if values[written - 1] != fields[written - 1].default:
                break
            written -= 1
        parts = [f.codec.dump(v) for f, v in zip(fields[:written], values[:written], strict=True)]
        return self.sign_wire(action.code, *parts)

    def sign_wire(self, code: str, *parts: object) -> str:
        """A token from its parts as they are written: ``sign`` writes every button with
        it, the board its links and sessions (codes no button has); tests use it to press
        buttons of the wire format directly."""
        texts = [code, *(str(p) for p in parts)]
        if any(_SEP in p for p in texts):
            raise ValueError(f"token parts may not contain {_SEP!r}")
        payload = _SEP.join(texts)
        token = f"{payload}{_SEP}{self._signature(payload)}"
        if len(token.encode()) > MAX_TOKEN_BYTES:
            raise ValueError(f"token over {MAX_TOKEN_BYTES} bytes: {token!r}")
        return token

    def verify(self, token: str) -> tuple[str, list[str]]:
        """The code and the written fields of a token we signed; BadToken otherwise."""
        payload, sep, signature = token.rpartition(_SEP)
        if (
            not sep
            or not payload
            or not hmac.compare_digest(signature.encode(), self._signature(payload).encode())
        ):
            raise BadToken()
        code, *parts = payload.split(_SEP)
        return code, parts

    def read(self, token: str, known: Mapping[str, type[ButtonAction]]) -> ButtonAction:
        """The action of a pressed button: verified, then each field read by its type.
        ``known``: the action types of this install by code. Everything wrong is a BadToken."""
        code, parts = self.verify(token)
        cls = known.get(code)
        if cls is None:
            raise BadToken()
        fields = self.layout(cls)
        required = sum(1 for f in fields if f.default is dataclasses.MISSING)
        if not required <= len(parts) <= len(fields):
            raise BadToken()
        try:
            values = {f.name: f.codec.load(raw) for f, raw in zip(fields, parts, strict=False)}
        except (ValueError, TypeError, KeyError) as error:
            raise BadToken() from error
        return cls(**values)
