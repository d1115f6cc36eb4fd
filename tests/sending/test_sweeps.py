"""The scheduler's delivery sweeps: a send whose worker died mid-call becomes `unknown` (never sent again by
itself), and a retry whose job was lost is queued again and sent once."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update

from server.core.db.base import utcnow
from server.core.db.engine import autocommit
from server.core.db.models import Message
from server.sending.sweeps import requeue_lost_sends, settle_stuck_sends
from tests.conftest import RunningWorker, Workspace
from tests.fakes.fake_providers import FakeProviders
from tests.integrations.helpers import connect
from tests.sending.helpers import settled, sms_lead, write


async def force(message_id: str, **values: object) -> None:
    async with autocommit() as db:
        await db.execute(update(Message).where(Message.id == uuid.UUID(message_id)).values(**values))


async def test_a_send_stuck_in_sending_becomes_unknown_and_is_not_called_again(
    workspace: Workspace, worker: RunningWorker, fake_providers: FakeProviders
) -> None:
    lead_id, _ = await sms_lead(workspace)
    queued = await write(workspace, lead_id, "sms")  # not connected: not_sent
    await settled(workspace, lead_id, queued["id"])
    # As if its worker died during the provider call three minutes ago.
    await force(queued["id"], delivery_status="sending", delivery_updated_at=utcnow() - timedelta(minutes=3))
    assert await settle_stuck_sends() >= 1
    message = await settled(workspace, lead_id, queued["id"])
    assert (message["delivery"]["status"], message["delivery"]["error"]["code"]) == ("unknown", "interrupted")
    assert fake_providers.sends() == []


async def test_a_recent_sending_is_left_alone(workspace: Workspace, worker: RunningWorker) -> None:
    lead_id, _ = await sms_lead(workspace)
    queued = await write(workspace, lead_id, "sms")
    await settled(workspace, lead_id, queued["id"])
    await force(queued["id"], delivery_status="sending", delivery_updated_at=utcnow())
    await settle_stuck_sends()
    async with autocommit() as db:
        status = await db.scalar(
            Message.__table__.select()
            .with_only_columns(Message.delivery_status)
            .where(Message.id == uuid.UUID(queued["id"]))
        )
    assert status == "sending"


async def test_a_lost_retry_is_queued_again_and_sent_once(
    workspace: Workspace, worker: RunningWorker, fake_providers: FakeProviders
) -> None:
    await connect(workspace, "gohighlevel", fake_providers)
    lead_id, _ = await sms_lead(workspace)
    queued = await write(workspace, lead_id, "sms")
    await settled(workspace, lead_id, queued["id"], statuses=frozenset({"sent"}))
    # As if a retry had been scheduled a minute ago and its job never reached Redis.
    await force(
        queued["id"],
        delivery_status="queued",
        delivery_attempts=1,
        next_attempt_at=utcnow() - timedelta(minutes=1),
    )
    assert await requeue_lost_sends() >= 1
    await settled(workspace, lead_id, queued["id"], statuses=frozenset({"sent"}))
    assert len(fake_providers.sends()) == 2  # the first send and the requeued retry, nothing more
