"""Liveness and readiness for load balancers."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get
from sqlalchemy import text

from server.core.db.engine import read_session
from server.core.redis import redis_client
from server.handlers.common import ok
from server.handlers.errors import envelope_error


class HealthController(Controller):
    path = "/healthz"

    @get("/")
    async def health(self) -> Response[Any]:
        checks: dict[str, str] = {}
        try:
            async with read_session() as session:
                await session.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = type(exc).__name__
        try:
            await redis_client().ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = type(exc).__name__
        if checks["database"] != "ok":
            return envelope_error(503, "service_unavailable", "database unavailable", {"Retry-After": "5"})
        return ok(checks)
