"""The demo workspace: an owner, two setters, ~30 leads with email, SMS and LinkedIn histories across
the sentiment tags, pending AI drafts and booked meetings. Deterministic for a given seed; seeding twice
is a no-op, except for the provider connections below.

Given the provider simulator's URL (`providers_url`, or DEMO_PROVIDERS_URL) and a secret key to encrypt with,
the workspace's three integrations point at the simulator with its demo keys, on every run (its port changes),
unless a real account was connected instead. Every lead's inbound messages carry what a send answers
(`send_ref`), in the ids the simulator reads back (server/demo/provider_simulator/demo_accounts.py).
"""

from __future__ import annotations

import hashlib
import os
import random
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from server.accounts.passwords import hash_password
from server.core.db.base import utcnow
from server.core.db.engine import autocommit, read_session
from server.core.db.models import Integration, Lead, Message, User, Workspace
from server.core.unit_of_work import unit_of_work
from server.demo.provider_simulator import demo_accounts
from server.demo.scenarios import COMPANIES, FIRST_NAMES, LAST_NAMES, OUR_OPENER, SCENARIOS, Scenario
from server.drafts.generation import generate_draft
from server.inbound.ingestion import ingest_message
from server.inbound.parsers.normalized import LeadIdentity, ParsedMessage, WebhookParse
from server.integrations import secrets
from server.integrations import service as integrations
from server.leads.sentiment import apply_sentiment

DEMO_WORKSPACE = "Northwind Demo"
DEMO_KEY_PREFIX = "demo:"  # the seeded messages' provider id, kept as their dedupe_key
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
    webhook_secret: str = ""
    leads: int = 0
    drafts: int = 0
    providers_connected: tuple[str, ...] = ()  # pointed at the provider simulator by this run


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
    channel: str,
    inbound: bool,
    text: str,
    subject: str | None,
    at_days_ago: float,
    key: str,
    send_ref: dict[str, str] | None,
) -> ParsedMessage:
    return ParsedMessage(
        channel=channel,  # type: ignore[arg-type]
        direction="inbound" if inbound else "outbound",
        sent_by="lead" if inbound else "provider",
        provider_message_id=f"{DEMO_KEY_PREFIX}{key}",
        subject=subject if channel == "email" else None,
        body=text,
        html=f"<p>{text}</p>".replace("\n", "<br>") if channel == "email" else None,
        sent_at=utcnow() - timedelta(days=at_days_ago),
        send_ref=send_ref if inbound else None,
    )


def _send_ref(
    channel: str, phone: str | None, linkedin_provider_id: str | None, key: str
) -> dict[str, str] | None:
    """What the channel's send API needs to answer a demo lead's message, in the simulator's conventions."""
    if channel == "email":
        # A stable EmailBison reply id per message; the simulator answers any.
        reply_id = int(hashlib.sha256(key.encode()).hexdigest()[:12], 16) % 10**8
        return {"reply_id": str(reply_id), "sender_email_id": str(demo_accounts.SENDER_EMAIL_ID)}
    if channel == "sms" and phone:
        return {"contact_id": demo_accounts.ghl_contact_id_for(phone)}
    if channel == "linkedin" and linkedin_provider_id:
        return {
            "chat_id": demo_accounts.chat_id_for(linkedin_provider_id),
            "account_id": demo_accounts.UNIPILE_ACCOUNT_ID,
        }
    return None


async def _seed_lead(
    workspace_id: uuid.UUID, rng: random.Random, index: int, scenario: Scenario
) -> uuid.UUID:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    company = rng.choice(COMPANIES)
    phone = f"+1 (415) 555-{1000 + index:04d}"
    identity = LeadIdentity(
        email=f"{first}.{last}{index}@{company.split()[0].lower()}.example".lower(),
        phone=phone,
        linkedin_url=f"https://www.linkedin.com/in/{first}-{last}-{index}".lower(),
        linkedin_provider_id=f"ACoAA-demo-{index:03d}",
        ghl_contact_id=demo_accounts.ghl_contact_id_for(phone),
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
            key = f"{workspace_id}:{index}:{channel}:{turn}"
            ref = _send_ref(channel, identity.phone, identity.linkedin_provider_id, key)
            parse = WebhookParse(
                kind="message",
                lead=identity,
                message=_message(channel, inbound, text, reply_subject, at, key, ref),
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


async def seed_demo(seed: int = 109, *, providers_url: str | None = None) -> SeedResult:
    """Create the demo workspace unless it exists, and connect it to the provider simulator at
    `providers_url` (default DEMO_PROVIDERS_URL; none: leave the integrations alone). Drafts are written by
    the configured model provider."""
    providers_url = providers_url or os.environ.get("DEMO_PROVIDERS_URL") or None
    existing = await _existing_workspace()
    if existing is not None:
        await _fill_missing_send_refs(existing)  # demo data seeded before messages kept them
        connected = await connect_demo_providers(existing, providers_url)
        secret = await _webhook_secret(existing)
        return SeedResult(existing, created=False, webhook_secret=secret, providers_connected=connected)
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
    connected = await connect_demo_providers(workspace_id, providers_url)
    return SeedResult(
        workspace_id=workspace_id,
        created=True,
        webhook_secret=await _webhook_secret(workspace_id),
        leads=len(scenarios),
        drafts=drafts,
        providers_connected=connected,
    )


async def connect_demo_providers(workspace_id: uuid.UUID, providers_url: str | None) -> tuple[str, ...]:
    """Point the workspace's integrations at the simulator, each not connected yet or still connected to a
    simulator (a loopback URL with its demo key's hint): never over an account someone connected. Returns
    the providers it pointed there; none without a URL or a key to encrypt with."""
    if not providers_url or not secrets.can_encrypt():
        return ()
    async with read_session() as session:
        rows = await session.scalars(select(Integration).where(Integration.workspace_id == workspace_id))
        current = {row.provider: row for row in rows}
    connected = []
    for provider in integrations.PROVIDERS:
        row = current.get(provider)
        demo_hint = secrets.hint(demo_accounts.API_KEYS[provider])
        if row is None or (demo_accounts.is_loopback_url(row.base_url) and row.secret_hint == demo_hint):
            fields = demo_accounts.integration_fields(provider, providers_url)
            await integrations.connect(workspace_id, provider, fields)
            connected.append(provider)
    return tuple(connected)


async def _fill_missing_send_refs(workspace_id: uuid.UUID) -> None:
    """What older demo data lacks: the seeded leads' GoHighLevel contacts and their messages' send_ref."""
    seeded = select(Message.lead_id).where(
        Message.workspace_id == workspace_id, Message.dedupe_key.startswith(DEMO_KEY_PREFIX)
    )
    async with unit_of_work(workspace_id) as uow:
        leads = await uow.session.scalars(
            select(Lead).where(Lead.id.in_(seeded), Lead.phone.is_not(None), Lead.ghl_contact_id.is_(None))
        )
        for lead in leads:
            lead.ghl_contact_id = demo_accounts.ghl_contact_id_for(lead.phone or "")
        rows = await uow.session.execute(
            select(Message, Lead)
            .join(Lead, Lead.id == Message.lead_id)
            .where(
                Message.workspace_id == workspace_id,
                Message.direction == "inbound",
                Message.send_ref.is_(None),
                Message.dedupe_key.startswith(DEMO_KEY_PREFIX),
            )
        )
        for message, lead in rows.tuples():
            key = message.dedupe_key.removeprefix(DEMO_KEY_PREFIX)
            message.send_ref = _send_ref(message.channel, lead.phone, lead.linkedin_provider_id, key)


async def _webhook_secret(workspace_id: uuid.UUID) -> str:
    async with read_session() as session:
        return (
            await session.scalar(select(Workspace.webhook_secret).where(Workspace.id == workspace_id)) or ""
        )


async def _inbound_channels(lead_id: uuid.UUID) -> list[str]:
    async with read_session() as session:
        rows = await session.scalars(
            select(Message.channel)
            .where(Message.lead_id == lead_id, Message.direction == "inbound")
            .distinct()
        )
        return sorted(rows.all())
