"""Find the lead a payload is about, across channels, or create it; add any new identifiers to it."""

from __future__ import annotations

from sqlalchemy import or_, select, text
from sqlalchemy.sql.elements import ColumnElement

from server.core.db.base import utcnow
from server.core.db.models import Lead
from server.core.identity import normalize_email, normalize_linkedin_url, normalize_phone
from server.core.unit_of_work import UnitOfWork
from server.inbound.parsers.normalized import LeadIdentity

MAX_IDENTIFIER_LENGTH = 500
_LOCK_SORTED = text(
    "SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0)))"
    " FROM (SELECT unnest(CAST(:keys AS text[])) AS k ORDER BY 1) AS sorted_keys"
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

    def conditions(self) -> list[ColumnElement[bool]]:
        return [getattr(Lead, name) == value for name, value in self.pairs()]


async def lock_identities(uow: UnitOfWork, keys: MatchKeys) -> None:
    """Serialise concurrent deliveries about the same person, so they cannot create two leads.

    Locks are taken in sorted order so two payloads sharing several identifiers cannot deadlock.
    """
    lock_keys = sorted(f"lead:{uow.workspace_id}:{name}:{value}" for name, value in keys.pairs())
    if lock_keys:  # one round trip; the subquery's ORDER BY fixes the order the locks are taken in
        await uow.session.execute(_LOCK_SORTED, {"keys": lock_keys})


async def find_or_create_lead(uow: UnitOfWork, identity: LeadIdentity) -> tuple[Lead, bool]:
    """The matched (or new) lead, locked for update. Call inside the ingesting transaction."""
    keys = MatchKeys(identity)
    await lock_identities(uow, keys)
    lead: Lead | None = None
    conditions = keys.conditions()
    if conditions:
        query = select(Lead).where(Lead.workspace_id == uow.workspace_id, or_(*conditions))
        if keys.linkedin_provider_id:
            # The provider's attendee id is stable and a profile URL is not (vanity URLs change hands): a lead
            # that already has another attendee id is another person, whatever else matches.
            same_person = Lead.linkedin_provider_id == keys.linkedin_provider_id
            query = query.where(or_(Lead.linkedin_provider_id.is_(None), same_person)).order_by(
                same_person.is_(True).desc()
            )
        lead = await uow.session.scalar(query.order_by(Lead.created_at).limit(1).with_for_update())
    created = lead is None
    if lead is None:
        lead = Lead(
            workspace_id=uow.workspace_id,
            sentiment_tag="New",
            status="new",
            channels=[],
            activity_at=utcnow(),
        )
        uow.session.add(lead)
    merge_identity(lead, identity, keys)
    await uow.session.flush()
    return lead, created


def merge_identity(lead: Lead, identity: LeadIdentity, keys: MatchKeys | None = None) -> None:
    """Fill identifiers and names the lead lacks; never overwrite what a setter or earlier payload set."""
    keys = keys or MatchKeys(identity)
    fills = {  # only values that were kept as match keys, so every indexed column stays short
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
    for name, value in fills.items():
        if value and not getattr(lead, name):
            setattr(lead, name, value)
