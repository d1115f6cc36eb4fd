"""The fingerprint of a lead's conversation: SHA-256 over its messages' ids and bodies, oldest first.

An insight stores the fingerprint of the conversation it summarises, so a conversation that changed since
(a new message) is summarised again. The same fingerprint is computed here in Python, from loaded
messages, and in SQL, to select leads whose insight is out of date without loading their messages.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable

from sqlalchemy import Text, cast, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import InstrumentedAttribute, aliased
from sqlalchemy.sql.elements import ColumnElement

from server.core.db.models import Message

# Separators that never occur in ids and that text cleaning keeps out of bodies in practice.
_FIELD = "\x1f"
_RECORD = "\x1e"


def conversation_hash(messages: Iterable[tuple[uuid.UUID, str]]) -> str:
    """(id, body) pairs in conversation order: sent_at, then id."""
    digest = hashlib.sha256()
    for message_id, body in messages:
        digest.update(f"{message_id}{_FIELD}{body}{_RECORD}".encode())
    return digest.hexdigest()


def conversation_hash_sql(lead_id: InstrumentedAttribute[uuid.UUID]) -> ColumnElement[str]:
    """A scalar subquery giving conversation_hash() of the lead's messages, computed by PostgreSQL."""
    m = aliased(Message)
    record = func.concat(cast(m.id, Text), _FIELD, m.body, _RECORD)
    joined = func.coalesce(func.string_agg(record, aggregate_order_by(literal(""), m.sent_at, m.id)), "")
    hashed = func.encode(func.sha256(func.convert_to(joined, "UTF8")), "hex")
    return select(hashed).where(m.lead_id == lead_id).scalar_subquery()
