"""The inbox list: `GET /api/leads` with its combinable filters and search over contacts and message text
(API.md, "Team workflow").

Message text is searched with PostgreSQL full-text search: `messages.search` is a generated `tsvector` of
the subject and body with a GIN index, queried with `websearch_to_tsquery` (quotes, `or`, `-word`, as people
type them in a search box). A lead found through a message carries `match: {message_id, snippet}`: its best
matching message (rank, then newest) and a `ts_headline` excerpt with the matched words between « and ».
"""

from __future__ import annotations

import uuid
from typing import Any, Final

import msgspec
from sqlalchemy import and_, any_, exists, func, literal, or_, select, text
from sqlalchemy.sql.elements import ColumnElement

from server.core.db.engine import read_session
from server.core.db.models import Draft, Lead, LeadRead, Message, User
from server.core.errors import InvalidInput
from server.core.pagination import decode_cursor, encode_cursor
from server.core.views import LeadView, lead_views
from server.leads.service import check_channel
from server.sentiment.rules import normalize_tag

SEARCH_CONFIG: Final = "english"  # the text search configuration of messages.search (migration 0006)
_HEADLINE_OPTIONS: Final = "StartSel=«, StopSel=», MaxWords=24, MinWords=8, MaxFragments=1"
MAX_QUERY_LENGTH: Final = 200

# The best matching message of each listed lead, and its excerpt: computed for one page of leads only.
_BEST_MATCHES: Final = text(
    f"""
    SELECT DISTINCT ON (m.lead_id) m.lead_id, m.id AS message_id,
           ts_headline('{SEARCH_CONFIG}', coalesce(m.subject || ' — ', '') || m.body, q.query,
                       '{_HEADLINE_OPTIONS}') AS snippet
    FROM messages m, websearch_to_tsquery('{SEARCH_CONFIG}', CAST(:q AS text)) AS q(query)
    WHERE m.lead_id = ANY(CAST(:lead_ids AS uuid[])) AND m.search @@ q.query
    ORDER BY m.lead_id, ts_rank(m.search, q.query) DESC, m.sent_at DESC
    """
)


class LeadFilters(msgspec.Struct, kw_only=True, frozen=True):
    sentiment: str | None = None
    q: str | None = None
    assigned: str | None = None  # me | none | <user id>
    channel: str | None = None
    has_draft: bool | None = None
    unread: bool | None = None  # unread by the caller


class SearchMatch(msgspec.Struct):
    message_id: str
    snippet: str


class ListedLead(LeadView, kw_only=True):
    """A lead of the list: the lead, plus how the search found it when a message matched."""

    match: SearchMatch | None = None


async def list_leads(
    workspace_id: uuid.UUID, viewer_id: uuid.UUID, filters: LeadFilters, *, limit: int, cursor: str | None
) -> tuple[list[ListedLead], str | None]:
    """Newest activity first; every filter given applies (AND)."""
    conditions = [Lead.workspace_id == workspace_id]
    conditions += await _conditions(workspace_id, viewer_id, filters)
    if cursor:
        at, last_id = decode_cursor(cursor)
        conditions.append((Lead.activity_at < at) | ((Lead.activity_at == at) & (Lead.id < last_id)))
    query = select(Lead).where(*conditions).order_by(Lead.activity_at.desc(), Lead.id.desc()).limit(limit + 1)
    q = _search_text(filters.q)
    async with read_session() as session:
        leads = list((await session.scalars(query)).all())
        page = leads[:limit]
        views = await lead_views(session, page, viewer_id=viewer_id)
        matches: dict[uuid.UUID, SearchMatch] = {}
        if q and page:
            rows = await session.execute(_BEST_MATCHES, {"q": q, "lead_ids": [lead.id for lead in page]})
            matches = {row.lead_id: SearchMatch(str(row.message_id), row.snippet) for row in rows}
    listed = [
        ListedLead(**msgspec.structs.asdict(view), match=matches.get(lead.id))
        for lead, view in zip(page, views, strict=True)
    ]
    last = leads[limit - 1] if len(leads) > limit else None
    return listed, encode_cursor(last.activity_at, last.id) if last is not None else None


async def _conditions(
    workspace_id: uuid.UUID, viewer_id: uuid.UUID, filters: LeadFilters
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.sentiment:
        tag = normalize_tag(filters.sentiment)
        if tag is None:
            raise InvalidInput(f"unknown sentiment tag: {filters.sentiment}", code="invalid_sentiment_tag")
        conditions.append(Lead.sentiment_tag == tag)
    if filters.assigned:
        conditions.append(await _assigned(workspace_id, viewer_id, filters.assigned))
    if filters.channel:
        check_channel(filters.channel)
        conditions.append(literal(filters.channel) == any_(Lead.channels))
    if filters.has_draft is not None:
        pending = exists().where(Draft.lead_id == Lead.id, Draft.status == "pending")
        conditions.append(pending if filters.has_draft else ~pending)
    if filters.unread is not None:
        unread = _unread_by(viewer_id)
        conditions.append(unread if filters.unread else ~unread)
    q = _search_text(filters.q)
    if q:
        conditions.append(or_(_contact_matches(q), _message_matches(workspace_id, q)))
    return conditions


def _unread_by(viewer_id: uuid.UUID) -> ColumnElement[bool]:
    """An inbound message newer than what the viewer read of the lead (any, when never read)."""
    read_at = (
        select(LeadRead.read_at)
        .where(LeadRead.user_id == viewer_id, LeadRead.lead_id == Lead.id)
        .scalar_subquery()
    )
    return exists().where(
        Message.lead_id == Lead.id,
        Message.direction == "inbound",
        or_(read_at.is_(None), Message.created_at > read_at),
    )


async def _assigned(workspace_id: uuid.UUID, viewer_id: uuid.UUID, value: str) -> ColumnElement[bool]:
    if value == "me":
        return Lead.assigned_to == viewer_id
    if value == "none":
        return Lead.assigned_to.is_(None)
    try:
        user_id = uuid.UUID(value)
    except ValueError:
        raise InvalidInput("assigned must be me, none or a user id", code="invalid_assignee") from None
    async with read_session() as session:
        member = await session.scalar(
            select(User.id).where(User.id == user_id, User.workspace_id == workspace_id)
        )
    if member is None:
        raise InvalidInput("assigned names no user of this workspace", code="invalid_assignee")
    return Lead.assigned_to == user_id


def _search_text(q: str | None) -> str | None:
    if q is None or not q.strip():
        return None
    if len(q) > MAX_QUERY_LENGTH:
        raise InvalidInput(f"q must be at most {MAX_QUERY_LENGTH} characters", code="invalid_input")
    return q.strip()


def _contact_matches(q: str) -> ColumnElement[bool]:
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    columns: list[Any] = [Lead.first_name, Lead.last_name, Lead.email, Lead.company, Lead.phone]
    return or_(*(column.ilike(pattern) for column in columns))


def _message_matches(workspace_id: uuid.UUID, q: str) -> ColumnElement[bool]:
    query = func.websearch_to_tsquery(SEARCH_CONFIG, q)
    return exists().where(
        and_(
            Message.lead_id == Lead.id,
            Message.workspace_id == workspace_id,
            Message.search.bool_op("@@")(query),
        )
    )
