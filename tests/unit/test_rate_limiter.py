"""The Telegram limiter's overall budget on a virtual clock: whatever delays a request
between leaving and being answered, no second on Telegram's side holds more than the
budget, and a sender that is not delayed gets close to the full rate."""

from __future__ import annotations

import itertools
import random

from bots.telegram.middlewares import RateLimiter


def _send(
    limiter: RateLimiter, count: int, latency: list[float], start: float = 100.0
) -> list[tuple[float, float, float]]:
    """Sends ``count`` messages as fast as the limiter allows, one after another's
    departure; message i is answered ``latency[i]`` after it leaves. Returns each
    message's (left, handled by Telegram, answered): Telegram handles it at a random
    moment in between, as the network or a stalled loop would have it."""
    rnd = random.Random(count)
    now, pending, sent = start, [], []  # pending: (answered at, left)
    while len(sent) < count or pending:
        pending.sort()
        while pending and pending[0][0] <= now:
            answered, left = pending.pop(0)
            limiter.answered(answered)
            sent.append((left, left + rnd.random() * (answered - left), answered))
        if len(sent) + len(pending) == count:
            if pending:
                now = pending[0][0]
            continue
        wait = limiter.departure_delay(now)
        if wait is None:
            now = pending[0][0]
        elif wait > 0:
            now = min(now + wait, pending[0][0]) if pending else now + wait
        else:
            limiter.departed(now)
            pending.append((now + latency[len(sent) + len(pending)], now))
    return sorted(sent)


def _busiest_second(moments: list[float]) -> int:
    moments = sorted(moments)
    return max(sum(1 for t in moments if start <= t < start + 1.0) for start in moments)


def test_prompt_answers_get_nearly_the_whole_budget() -> None:
    sent = _send(RateLimiter(), 291, [0.002] * 291)
    seconds = sent[-1][0] - sent[0][0]
    assert 290 / 29 < seconds < 290 / 29 * 1.03
    assert _busiest_second([handled for _, handled, _ in sent]) <= 29


def test_delays_on_the_way_never_overfill_a_second_on_telegrams_side() -> None:
    rnd = random.Random(7)
    # Mostly quick answers, now and then a stall of up to 300 ms on the way.
    latency = [0.3 * rnd.random() if rnd.random() < 0.1 else 0.003 for _ in range(600)]
    sent = _send(RateLimiter(), 600, latency)
    assert _busiest_second([handled for _, handled, _ in sent]) <= 29
    assert min(b[0] - a[0] for a, b in itertools.pairwise(sent)) >= 0.02 - 1e-9


def test_a_backlog_leaves_spaced_not_in_one_burst() -> None:
    sent = _send(RateLimiter(), 29, [0.001] * 29)
    assert min(b[0] - a[0] for a, b in itertools.pairwise(sent)) >= 0.02 - 1e-9
