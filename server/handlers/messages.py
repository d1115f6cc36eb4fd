"""Messages: "Send again" for one whose delivery failed (or, confirmed, is unknown)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, post
from litestar.di import Provide

from server.accounts.service import Principal
from server.core.views import message_view
from server.handlers.common import CleanInput, ok, parse_id, provide_principal
from server.sending.delivery import send_again


class SendAgainIn(CleanInput):
    confirm_unknown: bool = False


class MessagesController(Controller):
    path = "/api/messages"
    dependencies = {"principal": Provide(provide_principal)}

    @post("/{message_id:str}/send", status_code=202)
    async def send_again(
        self, principal: Principal, message_id: str, data: SendAgainIn | None = None
    ) -> Response[Any]:
        confirm = data.confirm_unknown if data is not None else False
        message = await send_again(
            principal.workspace_id,
            parse_id(message_id, "message"),
            confirm_unknown=confirm,
            actor=principal.actor,
        )
        return ok(message_view(message), 202)
