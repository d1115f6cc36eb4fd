"""One async engine and session factory per process (and per event loop, for worker threads)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from server.core.settings import get_settings

_engines: dict[int, AsyncEngine] = {}
_factories: dict[int, async_sessionmaker[AsyncSession]] = {}
_pooled_slots: dict[int, asyncio.Semaphore] = {}


def _loop_key() -> int:
    # asyncpg connections belong to the loop that opened them; key the engine by running loop.
    try:
        return id(asyncio.get_running_loop())
    except RuntimeError:
        return 0


def get_engine() -> AsyncEngine:
    key = _loop_key()
    engine = _engines.get(key)
    if engine is None:
        settings = get_settings()
        engine = create_async_engine(
            settings.database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            # No pre-ping round trip per checkout: a dead connection is invalidated when it fails (503),
            # and the pool replaces it.
            pool_recycle=1800,
            connect_args={"server_settings": {"application_name": "setterdesk"}, "timeout": 5},
        )
        _engines[key] = engine
    return engine


def session_factory() -> async_sessionmaker[AsyncSession]:
    key = _loop_key()
    factory = _factories.get(key)
    if factory is None:
        factory = async_sessionmaker(get_engine(), expire_on_commit=False)
        _factories[key] = factory
    return factory


@asynccontextmanager
async def read_session() -> AsyncIterator[AsyncSession]:
    """A session for reads. Nothing done in it is committed: changes go through a unit of work
    (`server.core.unit_of_work`), or `autocommit()` for a lone statement on a hot path."""
    async with session_factory()() as session:
        yield session


@asynccontextmanager
async def autocommit() -> AsyncIterator[AsyncConnection]:
    """A pooled connection on which each statement is its own transaction: one round trip, no BEGIN and
    COMMIT or ROLLBACK around it. For single statements on hot paths; anything that must change several
    rows together belongs in a session (or a unit of work)."""
    async with get_engine().connect() as connection:
        yield await connection.execution_options(isolation_level="AUTOCOMMIT")


@asynccontextmanager
async def pooled_autocommit() -> AsyncIterator[AsyncConnection]:
    """`autocommit()` for a burst of one-statement requests: at most DB_POOL_SIZE of these at once per
    process, so a burst waits a moment for a pooled connection instead of opening (and closing again)
    overflow connections, which costs more than the statement (a webhook's record)."""
    key = _loop_key()
    slots = _pooled_slots.get(key)
    if slots is None:
        slots = _pooled_slots[key] = asyncio.Semaphore(get_settings().db_pool_size)
    async with slots, autocommit() as connection:
        yield connection


async def dispose_engine() -> None:
    key = _loop_key()
    _pooled_slots.pop(key, None)
    _factories.pop(key, None)
    engine = _engines.pop(key, None)
    if engine is not None:
        await engine.dispose()
