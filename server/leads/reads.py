"""Per-user read state (API.md, "Team workflow"): each setter's own unread count on every lead, and marking a
lead read. A new inbound message makes the lead unread again for everyone: the count is the lead's inbound
messages newer than what this user has read."""

from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert

from server.accounts.service import Principal
from server.core.db.base import utcnow
from server.core.db.engine import read_session
from server.core.db.models import LeadRead
from server.core.event_schemas import LEAD_READ
from server.core.unit_of_work import unit_of_work
from server.core.views import LeadView, lead_view
from server.leads.service import get_lead


async def mark_read(principal: Principal, lead_id: uuid.UUID) -> LeadView:
    """Everything up to now read for this user; `lead.read` tells the user's other tabs and devices."""
    workspace_id = principal.workspace_id
    now = utcnow()
    async with unit_of_work(workspace_id, principal.actor) as uow:
        lead = await get_lead(uow.session, workspace_id, lead_id)
        statement = insert(LeadRead).values(
            user_id=principal.user_id, lead_id=lead.id, workspace_id=workspace_id, read_at=now
        )
        await uow.session.execute(
            statement.on_conflict_do_update(
                index_elements=[LeadRead.user_id, LeadRead.lead_id],
                set_={"read_at": func.greatest(LeadRead.read_at, statement.excluded.read_at)},
            )
        )
        data = {"lead_id": str(lead.id), "user_id": str(principal.user_id), "read_at": now}
        uow.emit(LEAD_READ, lead.id, data)
    async with read_session() as session:
        return await lead_view(
            session, await get_lead(session, workspace_id, lead_id), viewer_id=principal.user_id
        )
