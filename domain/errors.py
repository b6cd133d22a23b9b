"""Domain errors.

Each error carries a stable ``code`` and keyword ``params``; the conversation
layer maps the code to a localized template, so nothing here is user-facing text.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every rule violation the user can be told about."""

    code = "domain_error"

    def __init__(self, **params: Any) -> None:
        super().__init__(f"{self.code}: {params}")
        self.params: dict[str, Any] = params


class NotFound(DomainError):
    """An entity the user referred to does not exist (or is invisible to them)."""

    code = "not_found"


class TaskNotFound(NotFound):
    code = "task_not_found"


class MemberNotFound(NotFound):
    code = "member_not_found"


class NotPermitted(DomainError):
    """The actor may not perform the action (checked at press time, never trusted)."""

    code = "not_permitted"


class InvalidTransition(DomainError):
    """The task's status does not allow the action (e.g. a stale button)."""

    code = "invalid_transition"


class InvalidInput(DomainError):
    """User input that breaks a rule; ``field`` and ``reason`` say which and why."""

    code = "invalid_input"


class InviteInvalid(DomainError):
    code = "invite_invalid"


class NotRegistered(DomainError):
    """A chat identity that has not joined any company yet."""

    code = "not_registered"


class MemberInactive(DomainError):
    """A chat identity of a member who was let go: it no longer acts."""

    code = "member_inactive"


class Conflict(DomainError):
    """Someone else changed the same thing at the same moment; the user may retry."""

    code = "conflict"
