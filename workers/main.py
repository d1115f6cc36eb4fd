"""The worker entry point for `dramatiq workers.main`: logging, broker, actors."""

from __future__ import annotations

from server.logging import configure_logging
from server.settings import get_settings

settings = get_settings()
configure_logging(settings.log_level, json=settings.log_json)

from workers import actors  # noqa: E402,F401  (registers the actors on the broker)
