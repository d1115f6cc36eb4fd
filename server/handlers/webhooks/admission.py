"""How many webhooks one web process works on at once.

Past its capacity a process that keeps accepting only makes every request slower, until the providers' own
timeouts give up on all of them (and they retry anyway). Turning the excess away at once with 503 and
Retry-After, before anything is read or recorded, keeps the admitted ones fast; the provider delivers the
rest again later, and a redelivery of something already stored is a duplicate, never a second message.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from server.core.errors import Overloaded
from server.core.logging import get_logger
from server.core.settings import get_settings

log = get_logger(__name__)

RETRY_AFTER_S = 5


class Admission:
    def __init__(self) -> None:
        self.in_flight = 0

    @contextmanager
    def admit(self) -> Iterator[None]:
        limit = get_settings().webhook_max_in_flight
        if self.in_flight >= limit:
            log.warning("webhook.overloaded", in_flight=self.in_flight, limit=limit)
            raise Overloaded("too many webhooks in progress; retry shortly", retry_after_s=RETRY_AFTER_S)
        self.in_flight += 1
        try:
            yield
        finally:
            self.in_flight -= 1


# One per process: a uvicorn worker serves every request on one event loop.
webhooks_in_flight = Admission()
