"""The demo workspace: an owner, two setters, ~30 leads with email, SMS and LinkedIn histories across
the sentiment tags, pending AI drafts and booked meetings. Deterministic for a given seed; seeding twice
is a no-op.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from server.accounts.passwords import hash_password
from server.core.db.base import utcnow
from server.core.db.engine import autocommit, read_session
from server.core.db.models import Lead, Message, User, Workspace
from server.core.unit_of_work import unit_of_work
from server.demo.scenarios import COMPANIES, FIRST_NAMES, LAST_NAMES, OUR_OPENER, SCENARIOS, Scenario
from server.drafts.generation import generate_draft
from server.inbound.ingestion import ingest_message
from server.inbound.parsers.normalized import LeadIdentity, ParsedMessage, WebhookParse
from server.leads.sentiment import apply_sentiment

DEMO_WORKSPACE = "Northwind Demo"
CHANNEL_SETS = [("email",), ("email",), ("sms",), ("linkedin",), ("email", "sms"), ("email", "linkedin")]


@dataclass(frozen=True)
class DemoLogin:
    name: str
    email: str
    password: str
    role: str


DEMO_LOGINS = (
    DemoLogin("Olivia Owner", "owner@setterdesk.demo", "demo-owner-pass", "owner"),
    DemoLogin("Dana Setter", "dana@setterdesk.demo", "demo-setter-dana", "setter"),
    DemoLogin("Sam Setter", "sam@setterdesk.demo", "demo-setter-sam", "setter"),
)


@dataclass(frozen=True)
class SeedResult:
    workspace_id: uuid.UUID
    created: bool
    leads: int = 0
    drafts: int = 0


async def _existing_workspace() -> uuid.UUID | None:
    async with read_session() as session:
        return await session.scalar(select(User.workspace_id).where(User.email == DEMO_LOGINS[0].email))


async def _create_workspace() -> uuid.UUID:
    workspace_id = uuid.uuid4()
    async with unit_of_work(workspace_id) as uow:
        session = uow.session
        workspace = Workspace(
            id=workspace_id, name=DEMO_WORKSPACE, webhook_secret="whsec_demo_" + uuid.uuid4().hex[:16]
        )
        session.add(workspace)
        await session.flush()
        for login in DEMO_LOGINS:
            session.add(
                User(
                    workspace_id=workspace.id,
                    name=login.name,
                    email=login.email,
                    password_hash=await hash_password(login.password),
                    role=login.role,
                )
            )
        await session.flush()
    return workspace.id


def _message(
    channel: str, inbound: bool, text: str, subject: str | None, at_days_ago: float, key: str
) -> ParsedMessage:
    return ParsedMessage(
        channel=channel,  # type: ignore[arg-type]
        direction="inbound" if inbound else "outbound",
        sent_by="lead" if inbound else "provider",
        provider_message_id=f"demo:{key}",
        subject=subject if channel == "email" else None,
        body=text,
        html=f"<p>{text}</p>".replace("\n", "<br>") if channel == "email" else None,
        sent_at=utcnow() - timedelta(days=at_days_ago),
    )


async def _seed_lead(
    workspace_id: uuid.UUID, rng: random.Random, index: int, scenario: Scenario
) -> uuid.UUID:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    company = rng.choice(COMPANIES)
    identity = LeadIdentity(
        email=f"{first}.{last}{index}@{company.split()[0].lower()}.example".lower(),
        phone=f"+1 (415) 555-{1000 + index:04d}",
        linkedin_url=f"https://www.linkedin.com/in/{first}-{last}-{index}".lower(),
        linkedin_provider_id=f"ACoAA-demo-{index:03d}",
        first_name=first,
        last_name=last,
        company=company,
    )
    channels = rng.choice(CHANNEL_SETS)
    start = rng.uniform(3, 12)  # days ago
    lead_id: uuid.UUID | None = None
    for channel in channels:
        subject, opener = OUR_OPENER[channel]
        subject = subject.format(company=company) if subject else None
        at = start
        turns = [(False, opener.format(first=first, company=company))]
        turns += [(True, reply) for reply in scenario.replies]
        for turn, (inbound, text) in enumerate(turns):
            reply_subject = f"Re: {subject}" if inbound and subject else subject
            parse = WebhookParse(
                kind="message",
                lead=identity,
                message=_message(
                    channel, inbound, text, reply_subject, at, f"{workspace_id}:{index}:{channel}:{turn}"
                ),
            )
            result = await ingest_message(workspace_id, parse, post_process=False)
            lead_id = uuid.UUID(result.lead_id) if result.lead_id else lead_id
            at -= rng.uniform(0.2, 1.5)
    assert lead_id is not None
    async with unit_of_work(workspace_id) as uow:
        lead = await uow.session.get_one(Lead, lead_id, with_for_update=True)
        await apply_sentiment(uow, lead, scenario.tag)
        if scenario.booked:
            lead.appointment_booked_at = utcnow() - timedelta(days=rng.uniform(0.5, 2))
    return lead_id


async def seed_demo(seed: int = 109) -> SeedResult:
    """Create the demo workspace unless it exists. Drafts are written by the configured model provider."""
    existing = await _existing_workspace()
    if existing is not None:
        return SeedResult(workspace_id=existing, created=False)
    rng = random.Random(seed)
    workspace_id = await _create_workspace()
    scenarios = [SCENARIOS[i % len(SCENARIOS)] for i in range(30)]
    drafts = 0
    for index, scenario in enumerate(scenarios):
        lead_id = await _seed_lead(workspace_id, rng, index, scenario)
        if scenario.drafted:
            for channel in await _inbound_channels(lead_id):
                outcome = await generate_draft(lead_id, channel, source="on_demand")
                drafts += outcome.status == "created"
    async with autocommit() as db:
        # The inbox orders by activity: for demo history that is the last message's time.
        await db.execute(
            update(Lead)
            .where(Lead.workspace_id == workspace_id, Lead.last_message_at.is_not(None))
            .values(activity_at=Lead.last_message_at)
        )
    return SeedResult(workspace_id=workspace_id, created=True, leads=len(scenarios), drafts=drafts)


async def _inbound_channels(lead_id: uuid.UUID) -> list[str]:
    async with read_session() as session:
        rows = await session.scalars(
            select(Message.channel)
            .where(Message.lead_id == lead_id, Message.direction == "inbound")
            .distinct()
        )
        return sorted(rows.all())
