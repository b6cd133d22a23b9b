"""Housekeeping forgets the board's used one-time links once they have expired (and the
grace for replicas' clocks has passed); a link still valid stays used."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from brygada.bootstrap import App
from handlers import board
from scheduler.housekeeping import Housekeeping, Retention
from storage.models.board import BoardLinkRow
from tests.conftest import FakeClock
from tests.factories import make_team


async def _use(app: App, member_id: int, clock: FakeClock) -> str:
    """A link signed and used now (valid ten minutes); its nonce."""
    token = board.link_token(app.signer, member_id, clock.now(), timedelta(minutes=10))
    async with app.uow() as uow:
        await board.use_link(uow, app.signer, token, clock.now())
        await uow.commit()
    return token.rsplit(":", 1)[0].rsplit(":", 1)[1]


async def _kept(app: App) -> set[str]:
    async with app.uow() as uow:
        return set((await uow.session.scalars(select(BoardLinkRow.nonce))).all())


async def test_used_links_go_an_hour_after_they_expired(app: App, clock: FakeClock) -> None:
    team = await make_team(app)
    anna = team["anna"].id
    old = {await _use(app, anna, clock) for _ in range(3)}
    clock.advance(minutes=65)
    recent = await _use(app, anna, clock)  # expires in ten minutes
    assert await _kept(app) == {*old, recent}

    housekeeping = Housekeeping(app.uow, clock, Retention(), batch=2)  # several batches
    clock.advance(minutes=5, seconds=1)  # the old links expired 1 h 0 min 1 s ago
    assert await housekeeping.run_once() == 3
    assert await _kept(app) == {recent}

    clock.advance(minutes=64)  # the recent one expired 59 min ago: still within the grace
    assert await housekeeping.run_once() == 0
    clock.advance(minutes=2)
    assert await housekeeping.run_once() == 1
    assert await _kept(app) == set()
