"""One module per concept; importing this package registers every table on Base.metadata."""

from server.db.models.draft import Draft, DraftFailure
from server.db.models.event import Event
from server.db.models.insight import Insight, InsightFailure
from server.db.models.job_outbox import JobOutbox
from server.db.models.lead import Lead
from server.db.models.message import Message
from server.db.models.webhook_event import WebhookEvent
from server.db.models.workspace import AuthToken, User, Workspace

__all__ = [
    "AuthToken",
    "Draft",
    "DraftFailure",
    "Event",
    "Insight",
    "InsightFailure",
    "JobOutbox",
    "Lead",
    "Message",
    "User",
    "WebhookEvent",
    "Workspace",
]
