"""Is this exception the database being unavailable (answer 503, retry later) rather than a bug?

Used by the error mapping (server/handlers/errors.py) and by plain statements (server/core/db/plain_sql.py),
which talk to asyncpg directly and so see its exceptions unwrapped.
"""

from __future__ import annotations

from typing import Final

import asyncpg
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

# SQLSTATEs of a server that cannot serve us for now: connection exceptions (08…), 53300 too many
# connections, 57P01/57P02 (sessions terminated by a shutdown or a crash), 57P03 (the server is starting
# up, shutting down or in recovery: asyncpg's CannotConnectNowError, which SQLAlchemy wraps as a bare
# DBAPIError with no connection to invalidate).
UNAVAILABLE_SQLSTATES: Final = ("08", "53300", "57P01", "57P02", "57P03")


def connection_lost(exc: BaseException) -> bool:
    """asyncpg's word that the connection is gone or unusable (the pool must not hand it out again), also
    when SQLAlchemy's adapter re-raised it as its own DBAPI error."""
    cause = exc.__cause__
    if not isinstance(exc, (asyncpg.PostgresError, asyncpg.InterfaceError)) and isinstance(
        cause, (asyncpg.PostgresError, asyncpg.InterfaceError)
    ):
        exc = cause
    if isinstance(exc, asyncpg.PostgresError):  # the server answered; only these SQLSTATEs end the session
        return str(getattr(exc, "sqlstate", "") or "").startswith(UNAVAILABLE_SQLSTATES)
    # A closed connection, a protocol left mid-operation, the network.
    return isinstance(exc, (asyncpg.InterfaceError, asyncpg.InternalClientError, ConnectionError, OSError))


def database_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, (OperationalError, InterfaceError, PoolTimeoutError)) or connection_lost(exc):
        return True
    if isinstance(exc, DBAPIError):
        sqlstate = getattr(exc.orig, "sqlstate", None) or ""
        return exc.connection_invalidated or sqlstate.startswith(UNAVAILABLE_SQLSTATES)
    return False
