"""Integrations: the workspace's provider accounts (owners and admins; setters get 403)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, delete, get, post, put
from litestar.di import Provide

from server.accounts.service import Principal
from server.handlers.common import CleanInput, ok, provide_principal, require_admin
from server.integrations import service as integrations


class ConnectIn(CleanInput):
    """Every provider's fields (API.md, "Integrations"); which are required depends on the provider."""

    base_url: str | None = None
    api_key: str | None = None
    private_integration_token: str | None = None
    location_id: str | None = None
    account_id: str | None = None


class IntegrationsController(Controller):
    path = "/api/integrations"
    dependencies = {"principal": Provide(provide_principal)}

    @get("")
    async def list_integrations(self, principal: Principal) -> Response[Any]:
        require_admin(principal)
        return ok(await integrations.list_integrations(principal.workspace_id))

    @put("/{provider:str}")
    async def connect(self, principal: Principal, provider: str, data: ConnectIn) -> Response[Any]:
        require_admin(principal)
        known = integrations.require_provider(provider)
        fields = {name: getattr(data, name) for name in data.__struct_fields__}
        return ok(await integrations.connect(principal.workspace_id, known, fields))

    @post("/{provider:str}/check", status_code=200)
    async def check(self, principal: Principal, provider: str) -> Response[Any]:
        require_admin(principal)
        return ok(await integrations.check(principal.workspace_id, integrations.require_provider(provider)))

    @delete("/{provider:str}", status_code=200)
    async def disconnect(self, principal: Principal, provider: str) -> Response[Any]:
        require_admin(principal)
        known = integrations.require_provider(provider)
        await integrations.disconnect(principal.workspace_id, known)
        return ok({"provider": known, "connected": False})
