"""Which service reacts to which domain event: the one place the wiring is written.

The composition root (``brygada.bootstrap``) builds the message bus from
``default_event_handlers()`` and hands it to the unit-of-work factory. Services publish
events and never import the service that reacts, so they depend on each other one way
only: this module sits above all of them and nothing in ``domain`` imports it.

To add a side effect: define the event in ``domain.events``, publish it where the fact
happens (``await uow.publish(...)``), write an ``async (uow, event) -> None`` handler
in the service that owns the effect, and list it here.
"""

from __future__ import annotations

from domain.bus import EventHandlers
from domain.events import (
    MemberLeaving,
    RequestDecided,
    TaskAcceptanceDecided,
    TaskAwaitingAcceptance,
    TaskCompleted,
)
from domain.services import approvals, timetracking


def default_event_handlers() -> EventHandlers:
    """Each event with its handlers, in the order they run."""
    return {
        # A finished task keeps no clock running (before its acceptance is asked for).
        TaskCompleted: [timetracking.stop_timers_of_completed_task],
        TaskAwaitingAcceptance: [approvals.open_acceptance_request],
        TaskAcceptanceDecided: [approvals.record_acceptance_decision],
        RequestDecided: [timetracking.apply_approved_correction],
        MemberLeaving: [timetracking.stop_timer_of_leaving_member],
    }
