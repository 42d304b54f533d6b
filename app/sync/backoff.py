"""Exponential backoff with jitter, and the ``Retry-After`` header read without trusting clocks."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from app.sync.errors import TransientError

T = TypeVar("T")

MAX_RETRY_AFTER = 3600.0


@dataclass(frozen=True)
class Backoff:
    """Delay before attempt ``n + 1`` after ``n`` failures: ``base * 2 ** (n - 1)`` capped at ``cap``,
    then "equal jitter" (a random point in the upper half) so stations that lost the link together
    do not all come back in the same second. A server's ``Retry-After`` is a floor."""

    base: float = 1.0
    cap: float = 300.0

    def delay(
        self, failures: int, retry_after: float | None = None, rng: random.Random | None = None
    ) -> float:
        rng = rng or random
        ceiling = min(self.cap, self.base * 2 ** max(0, failures - 1))
        wait = rng.uniform(ceiling / 2, ceiling)
        if retry_after is not None:
            wait = max(wait, retry_after)
        return wait


def parse_retry_after(
    value: str | None, server_date: str | None = None, now: datetime | None = None
) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date).

    An HTTP date is measured against the response's own ``Date`` header when there is one, so a
    server whose clock is hours off still gets the wait it asked for; otherwise against ``now``.
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    reference = None
    if server_date:
        try:
            reference = parsedate_to_datetime(server_date)
        except (TypeError, ValueError):
            reference = None
    if reference is None:
        reference = now or datetime.now(when.tzinfo)  # an aware 'now': any zone is right
    return min(max(0.0, (when - reference).total_seconds()), MAX_RETRY_AFTER)


#: Waits before the 2nd, 3rd and 4th try of a request outside the outbox (the run's first request,
#: the pulls): a dropped connection or a 5xx there is retried as an item's would be.
START_RETRIES = (0.5, 1.5, 3.0)


def retry_transient(
    call: Callable[[], T],
    *,
    waits: Sequence[float] = START_RETRIES,
    sleep: Callable[[float], bool],
    rng: random.Random | None = None,
) -> T:
    """``call()``, tried again after each wait of ``waits`` (with jitter, a server's Retry-After as a
    floor) while it fails with a :class:`TransientError`; the last error is raised. ``sleep(s)``
    returns False to give up early (the run was stopped or its wait budget is spent)."""
    rng = rng or random.Random()
    for attempt in range(len(waits) + 1):
        try:
            return call()
        except TransientError as exc:
            if attempt == len(waits):
                raise
            wait = rng.uniform(waits[attempt] / 2, waits[attempt])
            if exc.retry_after is not None:
                wait = max(wait, exc.retry_after)
            if not sleep(wait):
                raise
    raise AssertionError("unreachable")
