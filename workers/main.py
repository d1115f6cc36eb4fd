"""The worker entry point for `dramatiq workers.main`: logging, broker, actors."""

from __future__ import annotations

import asyncio
import sys

from server.ai.providers.select import uses_openai
from server.core.logging import configure_logging, get_logger
from server.core.settings import get_settings

settings = get_settings()
configure_logging(settings.log_level, json=settings.log_json)
get_logger(__name__).info(
    "worker.model_provider", provider="openai" if uses_openai(settings) else "offline (deterministic)"
)

if sys.platform != "win32":
    import uvloop

    # Dramatiq's AsyncIO middleware runs every async actor on one loop per worker process, made by
    # asyncio.new_event_loop(): make it uvloop's, as uvicorn does for the web (less CPU per round trip).
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())

from workers import actors  # noqa: E402,F401  (registers the actors on the broker)
