"""Migrations on a database of their own: every revision applies from scratch, and 0005 backfills what
sending needs (`messages.send_ref`) from the bodies already in the webhook log."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from typing import Any

import asyncpg
from alembic import command
from sqlalchemy.engine import make_url

from server.core.db.migrate import alembic_config, ensure_database
from server.core.settings import async_database_url
from tests.helpers import sample_bytes

# A message stored before 0005, with no send reference.
OLD_MESSAGE = """
INSERT INTO messages (id, workspace_id, lead_id, channel, direction, sent_by, body, "to", cc, bcc, is_bounce,
                      is_automated, sent_at, dedupe_key, created_at)
VALUES ($1, $2, $3, 'email', 'inbound', 'lead', 'hey', '{}', '{}', '{}', false, false, now(),
        'emailbison:reply:999', now())
"""


def _plain(url: str) -> str:
    return url.replace("+asyncpg", "")


async def _run(url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(_plain(url))
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


def test_0005_backfills_send_refs_from_the_webhook_log() -> None:
    url = make_url(os.environ["DATABASE_URL"]).set(database=f"setterdesk_migr_{uuid.uuid4().hex[:8]}")
    database_url = async_database_url(url.render_as_string(hide_password=False))
    asyncio.run(ensure_database(database_url))
    try:
        command.upgrade(alembic_config(database_url), "0004")
        workspace, lead, message = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        body = sample_bytes("emailbison_lead_replied_1.json")

        async def old_rows() -> None:
            conn = await asyncpg.connect(_plain(database_url))
            try:
                await conn.execute(
                    "INSERT INTO workspaces (id, name, webhook_secret, created_at)"
                    " VALUES ($1, 'w', 's', now())",
                    workspace,
                )
                await conn.execute(
                    "INSERT INTO leads (id, workspace_id, sentiment_tag, status, channels, activity_at,"
                    " created_at, updated_at) VALUES ($1, $2, 'New', 'new', '{email}', now(), now(), now())",
                    lead,
                    workspace,
                )
                await conn.execute(OLD_MESSAGE, message, workspace, lead)
                await conn.execute(
                    "INSERT INTO webhook_events (id, workspace_id, channel, status, body, size, result,"
                    " attempts, received_at)"
                    " VALUES ($1, $2, 'email', 'processed', $3, $4, $5::jsonb, 1, now())",
                    uuid.uuid4(),
                    workspace,
                    body,
                    len(body),
                    json.dumps({"status": "processed", "message_id": str(message), "lead_id": str(lead)}),
                )
            finally:
                await conn.close()

        asyncio.run(old_rows())
        command.upgrade(alembic_config(database_url), "head")
        [row] = asyncio.run(_run(database_url, "SELECT send_ref FROM messages WHERE id = $1", message))
        assert json.loads(row["send_ref"]) == {"reply_id": "999", "sender_email_id": "50"}
    finally:
        asyncio.run(
            _run(os.environ["DATABASE_URL"], f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        )
