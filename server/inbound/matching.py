"""Find the lead a payload is about, across channels, or create it; add any new identifiers to it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Final

import msgspec

from server.core.db.base import utcnow
from server.core.db.models import Lead
from server.core.db.plain_sql import PlainRecord, PlainStatement
from server.core.identity import normalize_email, normalize_linkedin_url, normalize_phone
from server.core.unit_of_work import UnitOfWork
from server.inbound.parsers.normalized import LeadIdentity

MAX_IDENTIFIER_LENGTH = 500
# Serialises concurrent deliveries about the same person, so they cannot create two leads. The locks are
# taken in sorted order, so two payloads sharing several identifiers cannot deadlock. A statement of its
# own: the lead query after it must take its snapshot once the locks are held (under READ COMMITTED, a
# statement that waited for the lock itself would still read the leads as they were before the wait).
_LOCK_IDENTITIES: Final = PlainStatement(
    "SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0)))"
    " FROM (SELECT unnest(CAST(:lock_keys AS text[])) AS k ORDER BY 1) AS sorted_keys"
)


def _short(value: str | None) -> str | None:
    """Absurdly long values identify nobody, and would not fit a btree index entry."""
    return value if value is not None and len(value) <= MAX_IDENTIFIER_LENGTH else None


class MatchKeys:
    """The normalized identifiers of a payload's lead, each a way to find the lead again."""

    def __init__(self, identity: LeadIdentity) -> None:
        self.email = _short(normalize_email(identity.email))
        self.phone_digits = _short(normalize_phone(identity.phone))
        self.linkedin_key = _short(normalize_linkedin_url(identity.linkedin_url))
        self.linkedin_provider_id = _short(identity.linkedin_provider_id)
        self.emailbison_lead_id = _short(identity.emailbison_lead_id)
        self.ghl_contact_id = _short(identity.ghl_contact_id)

    def pairs(self) -> list[tuple[str, str]]:
        candidates = [
            ("email", self.email),
            ("phone_digits", self.phone_digits),
            ("linkedin_key", self.linkedin_key),
            ("linkedin_provider_id", self.linkedin_provider_id),
            ("emailbison_lead_id", self.emailbison_lead_id),
            ("ghl_contact_id", self.ghl_contact_id),
        ]
        return [(name, value) for name, value in candidates if value]


class Touch(msgspec.Struct, frozen=True):
    """What a newly stored message changes on its lead."""

    channel: str
    inbound: bool
    sent_at: datetime


# Every column of a lead, as views and events need them.
LEAD_COLUMNS: Final = (
    "id, workspace_id, first_name, last_name, email, phone, phone_digits, linkedin_url, linkedin_key,"
    " linkedin_provider_id, emailbison_lead_id, ghl_contact_id, company, title, sentiment_tag, status,"
    " assigned_to, channels, last_message_at, last_inbound_at, activity_at, appointment_booked_at,"
    " created_at, updated_at"
)
_IDENTITY: Final = (
    "email",
    "phone",
    "phone_digits",
    "linkedin_url",
    "linkedin_key",
    "linkedin_provider_id",
    "emailbison_lead_id",
    "ghl_contact_id",
    "first_name",
    "last_name",
    "company",
    "title",
)
# Plain SQL, prepared once per connection: this is the hottest path of the worker (docs/ARCHITECTURE.md).
# With round-robin on, the new lead goes to the next setter in the order they joined; taking the turn locks
# the workspace row until COMMIT, so two leads created at once go to two setters.
_INSERT_LEAD: Final = PlainStatement(
    f"""
    WITH turn AS (
      UPDATE workspaces SET auto_assign_turn = auto_assign_turn + 1
      WHERE id = CAST(:workspace_id AS uuid) AND auto_assign = 'round_robin'
      RETURNING auto_assign_turn - 1 AS n
    ), setters AS (
      SELECT id, row_number() OVER (ORDER BY created_at, id) - 1 AS i, count(*) OVER () AS c
      FROM users WHERE workspace_id = CAST(:workspace_id AS uuid) AND role = 'setter'
    )
    INSERT INTO leads (id, workspace_id, {", ".join(_IDENTITY)}, sentiment_tag, status, channels,
                       last_message_at, last_inbound_at, activity_at, created_at, updated_at, assigned_to)
    VALUES (CAST(:id AS uuid), CAST(:workspace_id AS uuid),
            {", ".join(f"CAST(:{c} AS text)" for c in _IDENTITY)},
            'New', 'new', CAST(:channels AS varchar[]), CAST(:sent_at AS timestamptz),
            CAST(:inbound_at AS timestamptz), CAST(:now AS timestamptz), CAST(:now AS timestamptz),
            CAST(:now AS timestamptz),
            (SELECT setters.id FROM setters JOIN turn ON setters.i = turn.n % setters.c))
    RETURNING {LEAD_COLUMNS}
    """
)
# Fill what the lead lacks (never overwrite what a setter or an earlier payload set), then the message's
# touch.
_UPDATE_LEAD: Final = PlainStatement(
    f"""
    UPDATE leads SET
      {
        ", ".join(
            f"{c} = CASE WHEN COALESCE({c}, '') = '' THEN COALESCE(CAST(:{c} AS text), {c}) ELSE {c} END"
            for c in _IDENTITY
        )
    },
      channels = CASE WHEN CAST(:channel AS text) IS NULL
                        OR CAST(:channel AS text) = ANY(COALESCE(channels, '{{}}')) THEN channels
                      ELSE array_append(COALESCE(channels, '{{}}'), CAST(:channel AS varchar)) END,
      last_message_at = GREATEST(last_message_at, CAST(:sent_at AS timestamptz)),
      last_inbound_at = GREATEST(last_inbound_at, CAST(:inbound_at AS timestamptz)),
      activity_at = CASE WHEN CAST(:sent_at AS timestamptz) IS NULL THEN activity_at
                         ELSE CAST(:now AS timestamptz) END,
      updated_at = CAST(:now AS timestamptz)
    WHERE id = CAST(:id AS uuid)
    RETURNING {LEAD_COLUMNS}
    """
)
_FIND_LEAD: dict[tuple[tuple[str, ...], bool], PlainStatement] = {}


def _find_lead_statement(names: tuple[str, ...], by_attendee: bool) -> PlainStatement:
    """One statement per combination of identifiers a payload has (a few dozen at most), built once."""
    statement = _FIND_LEAD.get((names, by_attendee))
    if statement is None:
        matches = " OR ".join(f"{name} = CAST(:{name} AS text)" for name in names)
        guard, first = "", ""
        if by_attendee:
            # The provider's attendee id is stable and a profile URL is not (vanity URLs change hands): a lead
            # that already has another attendee id is another person, whatever else matches.
            same = "linkedin_provider_id = CAST(:linkedin_provider_id AS text)"
            guard = f" AND (linkedin_provider_id IS NULL OR {same})"
            first = f"({same}) IS TRUE DESC, "
        statement = _FIND_LEAD[(names, by_attendee)] = PlainStatement(
            f"SELECT id FROM leads WHERE workspace_id = CAST(:workspace_id AS uuid) AND ({matches}){guard}"
            f" ORDER BY {first}created_at LIMIT 1 FOR UPDATE"
        )
    return statement


async def lock_and_find_lead(uow: UnitOfWork, keys: MatchKeys) -> uuid.UUID | None:
    """Take the payload's identity locks (held to COMMIT), then the matched lead's id, its row locked."""
    pairs = keys.pairs()
    if not pairs:
        return None
    statement = _find_lead_statement(tuple(name for name, _ in pairs), bool(keys.linkedin_provider_id))
    lock_keys = sorted(f"lead:{uow.workspace_id}:{name}:{value}" for name, value in pairs)
    await _LOCK_IDENTITIES.execute(uow.session, {"lock_keys": lock_keys})
    params = {"workspace_id": uow.workspace_id, **dict(pairs)}
    found: uuid.UUID | None = await statement.fetchval(uow.session, params)
    return found


def _identity_values(identity: LeadIdentity, keys: MatchKeys) -> dict[str, str | None]:
    values: dict[str, str | None] = {  # only values kept as match keys, so every indexed column stays short
        "email": keys.email,
        "phone": identity.phone if keys.phone_digits else None,
        "phone_digits": keys.phone_digits,
        "linkedin_url": identity.linkedin_url if keys.linkedin_key else None,
        "linkedin_key": keys.linkedin_key,
        "linkedin_provider_id": keys.linkedin_provider_id,
        "emailbison_lead_id": keys.emailbison_lead_id,
        "ghl_contact_id": keys.ghl_contact_id,
        "first_name": identity.first_name,
        "last_name": identity.last_name,
        "company": identity.company,
        "title": identity.title,
    }
    return {name: value or None for name, value in values.items()}


async def save_lead(
    uow: UnitOfWork,
    lead_id: uuid.UUID | None,
    identity: LeadIdentity,
    keys: MatchKeys,
    touch: Touch | None = None,
) -> PlainRecord:
    """Create the lead (`lead_id` None) or fill what it lacks, and apply a stored message's touch. Returns the
    lead's row (every column of LEAD_COLUMNS)."""
    params: dict[str, Any] = {
        **_identity_values(identity, keys),
        "now": utcnow(),
        "sent_at": touch.sent_at if touch else None,
        "inbound_at": touch.sent_at if touch and touch.inbound else None,
    }
    if lead_id is None:
        params |= {
            "id": uuid.uuid4(),
            "workspace_id": uow.workspace_id,
            "channels": [touch.channel] if touch else [],
        }
        return await _one(_INSERT_LEAD, uow, params)
    params |= {"id": lead_id, "channel": touch.channel if touch else None}
    return await _one(_UPDATE_LEAD, uow, params)


async def _one(statement: PlainStatement, uow: UnitOfWork, params: dict[str, Any]) -> PlainRecord:
    row = await statement.fetchrow(uow.session, params)
    if row is None:  # the lead is locked by this transaction: it cannot have gone
        raise LookupError("the lead disappeared under its lock")
    return row


async def find_or_create_lead(uow: UnitOfWork, identity: LeadIdentity) -> tuple[Lead, bool]:
    """The matched (or new) lead as a locked ORM object, its identifiers filled in, for the paths that
    change it further through the ORM (an unsubscribe). Call inside the ingesting transaction."""
    keys = MatchKeys(identity)
    lead_id = await lock_and_find_lead(uow, keys)
    row = await save_lead(uow, lead_id, identity, keys)
    lead = await uow.session.get_one(Lead, row.id, with_for_update=True, populate_existing=True)
    return lead, lead_id is None
