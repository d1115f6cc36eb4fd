"""The baseline: a Litestar app whose one endpoint INSERTs the request body, nothing else.

BENCH_DATABASE_URL=postgresql://... uvicorn --factory bench.bare_insert_app:create_app
"""

from __future__ import annotations

import os
from typing import Any

from litestar import Litestar, Request, post
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from server.core.settings import async_database_url, get_settings

TABLE_DDL = (
    "CREATE TABLE IF NOT EXISTS bench_bare("
    "id bigserial PRIMARY KEY, body jsonb, received_at timestamptz DEFAULT now())"
)
_INSERT = text("INSERT INTO bench_bare(body) VALUES (CAST(:body AS jsonb))")


def create_app() -> Litestar:
    # The same pool as the server's (DB_POOL_SIZE, DB_MAX_OVERFLOW).
    settings = get_settings()
    engine = create_async_engine(
        async_database_url(os.environ["BENCH_DATABASE_URL"]),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )

    @post("/insert", status_code=200)
    async def insert(request: Request[Any, Any, Any]) -> dict[str, bool]:
        body = await request.body()
        async with engine.begin() as conn:
            await conn.execute(_INSERT, {"body": body.decode()})
        return {"ok": True}

    async def dispose() -> None:
        await engine.dispose()

    return Litestar(route_handlers=[insert], on_shutdown=[dispose], openapi_config=None, debug=False)
