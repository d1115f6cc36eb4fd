"""Plain SQL on the asyncpg connection under a session or an autocommit connection, for the hot paths only.

A webhook's accept and its processing run a handful of fixed statements each; through SQLAlchemy every
execution pays for parameter processing, result metadata and the ORM session's bookkeeping, which was most
of a worker's CPU per webhook (docs/ARCHITECTURE.md, "Hot paths"). A `PlainStatement` is written with
`:named` parameters like `sqlalchemy.text()`, turned into asyncpg's `$n` form once, and executed on the very
connection (and so the very transaction) the caller's session or connection holds; asyncpg prepares it once
per connection. Everything else keeps using SQLAlchemy.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any, Final, cast

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from server.core.db.availability import connection_lost

# A parameter: `:name`, not the second colon of a `::type` cast.
_PARAMETER: Final = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")

# What a plain statement runs on: a session (in its transaction) or a connection.
Executor = AsyncSession | AsyncConnection


class PlainRecord(asyncpg.Record):
    """A result row whose columns read as attributes too (`row.id`), like SQLAlchemy's rows."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class PlainStatement:
    def __init__(self, sql: str) -> None:
        names: list[str] = []

        def number(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in names:
                names.append(name)
            return f"${names.index(name) + 1}"

        self.sql = _PARAMETER.sub(number, sql)
        self.names = tuple(names)

    def _args(self, params: dict[str, Any]) -> list[Any]:
        missing = [name for name in self.names if name not in params]
        if missing:
            raise KeyError(f"missing SQL parameters: {', '.join(missing)}")
        return [params[name] for name in self.names]

    async def fetch(self, on: Executor, params: dict[str, Any]) -> list[PlainRecord]:
        return cast(list[PlainRecord], await self._run(on, "fetch", params, record_class=PlainRecord))

    async def fetchrow(self, on: Executor, params: dict[str, Any]) -> PlainRecord | None:
        return cast(PlainRecord | None, await self._run(on, "fetchrow", params, record_class=PlainRecord))

    async def fetchval(self, on: Executor, params: dict[str, Any]) -> Any:
        return await self._run(on, "fetchval", params)

    async def execute(self, on: Executor, params: dict[str, Any]) -> int:
        """Runs the statement; returns the number of rows it changed."""
        status: str = await self._run(on, "execute", params)
        count = status.rsplit(" ", 1)[-1]
        return int(count) if count.isdigit() else 0

    async def _run(self, on: Executor, method: str, params: dict[str, Any], **options: Any) -> Any:
        args = self._args(params)
        connection = await on.connection() if isinstance(on, AsyncSession) else on
        try:
            driver = await driver_connection(connection)
            return await getattr(driver, method)(self.sql, *args, **options)
        except BaseException as exc:
            # What SQLAlchemy does for its own statements: a connection lost, or left mid-statement by a
            # cancellation, is dropped by the pool instead of handed out again.
            if not isinstance(exc, Exception) or connection_lost(exc):
                with contextlib.suppress(Exception):  # the original error is the one to raise
                    await connection.invalidate(exc if isinstance(exc, Exception) else None)
            raise


async def driver_connection(connection: AsyncConnection) -> asyncpg.Connection:
    """The asyncpg connection under an AsyncConnection (a session's: `await session.connection()`), its
    transaction begun.

    SQLAlchemy's asyncpg adapter sends BEGIN lazily, with the first statement it executes itself; a plain
    statement first in a transaction must begin it the same way, or it would run (and release its
    transaction-level locks) on its own, and the session's COMMIT would have nothing to commit. This is the
    one use of the adapter's private API (SQLAlchemy is pinned to 2.1.x; tests/core/db/test_plain_sql.py
    checks that a plain statement rolls back with its session).
    """
    raw = await connection.get_raw_connection()
    adapter: Any = raw.dbapi_connection
    if adapter._transaction is None and adapter.isolation_level != "autocommit":
        await adapter._start_transaction()
    return cast(asyncpg.Connection, raw.driver_connection)
