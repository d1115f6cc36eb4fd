"""create_app(): the Litestar application with its routes and the one error → envelope mapping."""

from __future__ import annotations

from litestar import Litestar

from server.db.engine import dispose_engine
from server.errors import exception_handlers
from server.handlers.auth import AuthController
from server.handlers.drafts import DraftsController
from server.handlers.health import HealthController
from server.handlers.leads import LeadsController
from server.handlers.webhook_events import WebhookEventsController
from server.handlers.webhooks.inbound import WebhooksController
from server.handlers.workspace import WorkspaceController
from server.logging import configure_logging
from server.settings import get_settings


def create_app() -> Litestar:
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    return Litestar(
        route_handlers=[
            AuthController,
            WorkspaceController,
            LeadsController,
            DraftsController,
            WebhooksController,
            WebhookEventsController,
            HealthController,
        ],
        exception_handlers=exception_handlers,
        on_shutdown=[dispose_engine],
        request_max_body_size=max(settings.webhook_max_body_bytes, 2 * 1024 * 1024),
        openapi_config=None,
        logging_config=None,  # server/logging.py configures logging; Litestar must not reset it
        debug=False,
    )
