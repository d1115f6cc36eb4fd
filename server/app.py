"""create_app(): the Litestar application with its routes and the one error → envelope mapping."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from litestar import Litestar
from litestar.types import LifeSpanReceive, LifeSpanScope, LifeSpanSend, Receive, Scope, Send

from server.core.db.engine import dispose_engine
from server.core.logging import configure_logging
from server.core.settings import get_settings
from server.handlers.auth import AuthController
from server.handlers.drafts import DraftsController
from server.handlers.errors import exception_handlers
from server.handlers.health import HealthController
from server.handlers.insights import InsightsController
from server.handlers.integrations import IntegrationsController
from server.handlers.leads import LeadsController
from server.handlers.messages import MessagesController
from server.handlers.web import web_routes
from server.handlers.webhook_events import WebhookEventsController
from server.handlers.webhooks.inbound import WebhooksController
from server.handlers.workspace import WorkspaceController
from server.inbound.accept import handovers
from server.realtime.going_away import close_on_stop_signals
from server.realtime.hub import Hub
from server.realtime.websocket import CLOSE_GOING_AWAY, SERVER_SEND, websocket_endpoint


async def start_realtime(app: Litestar) -> None:
    app.state.connections = set()
    app.state.hub = Hub()
    await app.state.hub.start()
    close_on_stop_signals(lambda: close_sockets(app))


def close_sockets(app: Litestar) -> None:
    """Close sockets with "going away" so clients reconnect to another process and resume."""
    for connection in list(app.state.connections):
        connection.close(CLOSE_GOING_AWAY)


async def stop_realtime(app: Litestar) -> None:
    close_sockets(app)
    await asyncio.sleep(0.1)
    await app.state.hub.stop()


class SetterdeskApp(Litestar):
    """Litestar, plus the ASGI server's own send callable in every websocket's scope (SERVER_SEND): the hub
    writes each fanned-out frame through it, skipping the framework's per-message wrappers
    (docs/ARCHITECTURE.md, "Real time")."""

    async def __call__(
        self, scope: Scope | LifeSpanScope, receive: Receive | LifeSpanReceive, send: Send | LifeSpanSend
    ) -> None:
        if scope["type"] == "websocket":
            cast(dict[str, Any], scope)[SERVER_SEND] = send
        await super().__call__(scope, receive, send)


def create_app() -> Litestar:
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    return SetterdeskApp(
        route_handlers=[
            AuthController,
            WorkspaceController,
            LeadsController,
            DraftsController,
            InsightsController,
            IntegrationsController,
            MessagesController,
            WebhooksController,
            WebhookEventsController,
            HealthController,
            websocket_endpoint,
            *web_routes,
        ],
        on_startup=[start_realtime],
        exception_handlers=exception_handlers,
        on_shutdown=[stop_realtime, handovers.flush, dispose_engine],
        request_max_body_size=max(settings.webhook_max_body_bytes, 2 * 1024 * 1024),
        openapi_config=None,
        logging_config=None,  # server/logging.py configures logging; Litestar must not reset it
        debug=False,
    )
