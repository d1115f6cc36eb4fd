"""One module per concept; importing this package registers every table on Base.metadata."""

from server.core.db.models.draft import Draft, DraftFailure
from server.core.db.models.event import Event
from server.core.db.models.insight import Insight, InsightFailure
from server.core.db.models.integration import Integration
from server.core.db.models.job_outbox import JobOutbox
from server.core.db.models.lead import Lead
from server.core.db.models.lead_read import LeadRead
from server.core.db.models.message import Message
from server.core.db.models.webhook_event import WebhookEvent
from server.core.db.models.workspace import AuthToken, User, Workspace

__all__ = [
    "AuthToken",
    "Draft",
    "DraftFailure",
    "Event",
    "Insight",
    "InsightFailure",
    "Integration",
    "JobOutbox",
    "Lead",
    "LeadRead",
    "Message",
    "User",
    "WebhookEvent",
    "Workspace",
]
