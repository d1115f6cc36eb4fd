"""Plain statements on the hot paths run in the caller's transaction: they commit with it, roll back with it,
and hold its locks to the end (server/core/db/plain_sql.py)."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from server.core.db.availability import database_unavailable
from server.core.db.engine import autocommit, read_session, session_factory
from server.core.db.models import Workspace
from server.core.db.plain_sql import PlainStatement
from server.core.settings import get_settings

_INSERT = PlainStatement(
    "INSERT INTO workspaces (id, name, webhook_secret, created_at)"
    " VALUES (CAST(:id AS uuid), :name, :secret, now()) RETURNING id, name, created_at::date AS day"
)
_TRANSACTION_ID = PlainStatement("SELECT txid_current()")
_RENAME = PlainStatement("UPDATE workspaces SET name = :name WHERE id = CAST(:id AS uuid)")


async def name_of(workspace_id: uuid.UUID) -> str | None:
    async with read_session() as session:
        workspace = await session.get(Workspace, workspace_id)
        return workspace.name if workspace else None


async def test_a_plain_statement_first_in_a_session_is_rolled_back_with_it() -> None:
    workspace_id = uuid.uuid4()
    async with session_factory()() as session:
        row = await _INSERT.fetchrow(session, {"id": workspace_id, "name": "plain", "secret": "s"})
        assert row is not None and (row.id, row.name) == (workspace_id, "plain")  # columns as attributes
        # One transaction, begun before the first statement.
        assert await _TRANSACTION_ID.fetchval(session, {}) == await _TRANSACTION_ID.fetchval(session, {})
        await session.rollback()
    assert await name_of(workspace_id) is None


async def test_plain_statements_commit_with_the_session_and_count_their_rows() -> None:
    workspace_id = uuid.uuid4()
    async with session_factory()() as session:
        await _INSERT.fetchrow(session, {"id": workspace_id, "name": "plain", "secret": "s"})
        assert await _RENAME.execute(session, {"id": workspace_id, "name": "renamed"}) == 1
        assert await _RENAME.execute(session, {"id": uuid.uuid4(), "name": "nobody"}) == 0
        await session.commit()
    assert await name_of(workspace_id) == "renamed"


async def test_on_an_autocommit_connection_each_statement_is_its_own_transaction() -> None:
    workspace_id = uuid.uuid4()
    async with autocommit() as db:
        await _INSERT.fetchrow(db, {"id": workspace_id, "name": "auto", "secret": "s"})
        assert await name_of(workspace_id) == "auto"  # committed already
        assert await _TRANSACTION_ID.fetchval(db, {}) != await _TRANSACTION_ID.fetchval(db, {})


def test_named_parameters_become_positional_once_each_and_casts_are_left_alone() -> None:
    statement = PlainStatement("SELECT CAST(:a AS int) + :b::int + :a, '10:30'::text, x::jsonb FROM t")
    assert statement.sql == "SELECT CAST($1 AS int) + $2::int + $1, '10:30'::text, x::jsonb FROM t"
    assert statement.names == ("a", "b")


async def test_a_missing_parameter_is_named() -> None:
    async with autocommit() as db:
        with pytest.raises(KeyError, match="name"):
            await _RENAME.execute(db, {"id": uuid.uuid4()})


async def test_a_connection_lost_under_a_plain_statement_is_dropped_from_the_pool() -> None:
    backend = PlainStatement("SELECT pg_backend_pid()")
    with pytest.raises(Exception) as raised:
        async with autocommit() as db:
            killed = await backend.fetchval(db, {})
            admin = await asyncpg.connect(get_settings().database_url.replace("+asyncpg", ""))
            try:
                await admin.execute("SELECT pg_terminate_backend($1)", killed)
            finally:
                await admin.close()
            await backend.fetchval(db, {})
    assert database_unavailable(raised.value)  # answered 503 by the error mapping, not 500
    for _ in range(get_settings().db_pool_size + 1):  # every pooled connection works, none is the dead one
        async with autocommit() as db:
            assert await backend.fetchval(db, {}) != killed
