"""Integrations (API.md): owners and admins connect, check and disconnect the providers; a secret is never
returned, logged or stored in clear."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from server.core.db.engine import read_session
from server.core.settings import reset_settings_cache
from tests.conftest import Workspace, make_workspace
from tests.fakes.fake_providers import FakeProviders
from tests.integrations.helpers import connect, connection

PROVIDERS = ("emailbison", "gohighlevel", "unipile")


async def integrations(workspace: Workspace) -> dict[str, dict[str, Any]]:
    answer = await workspace.client.get("/api/integrations", headers=workspace.auth)
    assert answer.status_code == 200, answer.text
    return {item["provider"]: item for item in answer.json()["data"]}


async def test_nothing_is_connected_at_first(workspace: Workspace) -> None:
    listed = await integrations(workspace)
    assert sorted(listed) == sorted(PROVIDERS)
    assert all(not item["connected"] and item["secret_hint"] is None for item in listed.values())


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_connect_shows_a_hint_never_the_secret_and_check_calls_the_provider(
    workspace: Workspace, fake_providers: FakeProviders, provider: str
) -> None:
    secret = connection(provider, fake_providers).get("api_key") or "ghl-token"
    data = await connect(workspace, provider, fake_providers)
    assert (data["connected"], data["status"], data["secret_hint"]) == (True, "ok", secret[-4:])
    assert secret not in str(data)
    assert data["base_url"] == fake_providers.base_url
    checked = await workspace.client.post(f"/api/integrations/{provider}/check", headers=workspace.auth)
    assert checked.json()["data"] == {"ok": True}
    [request] = [r for r in fake_providers.requests if r.kind == "check"]
    assert (request.provider, request.method) == (provider, "GET")
    listed = await integrations(workspace)
    assert secret not in str(listed)


async def test_the_gohighlevel_base_url_has_a_default(workspace: Workspace) -> None:
    body = {"location_id": "loc-1", "private_integration_token": "pit-123456789"}
    answer = await workspace.client.put("/api/integrations/gohighlevel", json=body, headers=workspace.auth)
    assert answer.json()["data"]["base_url"] == "https://services.leadconnectorhq.com"
    assert answer.json()["data"]["settings"] == {"location_id": "loc-1"}


async def test_a_wrong_key_fails_the_check_and_marks_the_integration_in_error(
    workspace: Workspace, fake_providers: FakeProviders
) -> None:
    await connect(workspace, "unipile", fake_providers, api_key="not-the-key")
    checked = await workspace.client.post("/api/integrations/unipile/check", headers=workspace.auth)
    assert checked.json()["data"]["ok"] is False
    assert "401" in checked.json()["data"]["error"]
    listed = await integrations(workspace)
    assert listed["unipile"]["status"] == "error" and "401" in listed["unipile"]["error"]
    await connect(workspace, "unipile", fake_providers)  # reconnecting with the right key clears it
    assert (await integrations(workspace))["unipile"]["status"] == "ok"


@pytest.mark.parametrize(
    ("provider", "body"),
    [
        ("emailbison", {"base_url": "https://eb.example.com"}),  # no api_key
        ("emailbison", {"base_url": "ftp://eb.example.com", "api_key": "k"}),
        ("gohighlevel", {"private_integration_token": "t"}),  # no location_id
        ("unipile", {"base_url": "https://api1.unipile.com:13111", "api_key": "k"}),  # no account_id
        ("unipile", {"base_url": "https://x", "api_key": 7, "account_id": "a"}),
    ],
)
async def test_missing_or_malformed_fields_are_400(
    workspace: Workspace, provider: str, body: dict[str, Any]
) -> None:
    answer = await workspace.client.put(f"/api/integrations/{provider}", json=body, headers=workspace.auth)
    assert answer.status_code == 400, answer.text
    assert not (await integrations(workspace))[provider]["connected"]


async def test_unknown_provider_is_404(workspace: Workspace) -> None:
    answer = await workspace.client.put("/api/integrations/mailchimp", json={}, headers=workspace.auth)
    assert answer.status_code == 404


async def test_disconnect(workspace: Workspace, fake_providers: FakeProviders) -> None:
    await connect(workspace, "emailbison", fake_providers)
    answer = await workspace.client.delete("/api/integrations/emailbison", headers=workspace.auth)
    assert answer.status_code == 200
    assert not (await integrations(workspace))["emailbison"]["connected"]
    checked = await workspace.client.post("/api/integrations/emailbison/check", headers=workspace.auth)
    assert checked.status_code == 404


async def test_setters_get_403_everywhere(workspace: Workspace, fake_providers: FakeProviders) -> None:
    setter = await workspace.add_member("setter")
    headers = {"Authorization": f"Bearer {setter['token']}"}
    calls = [
        workspace.client.get("/api/integrations", headers=headers),
        workspace.client.put(
            "/api/integrations/emailbison", json=connection("emailbison", fake_providers), headers=headers
        ),
        workspace.client.post("/api/integrations/emailbison/check", headers=headers),
        workspace.client.delete("/api/integrations/emailbison", headers=headers),
    ]
    for call in calls:
        assert (await call).status_code == 403


async def test_another_workspace_sees_none_of_it(
    client: AsyncTestClient[Any], workspace: Workspace, fake_providers: FakeProviders
) -> None:
    await connect(workspace, "emailbison", fake_providers)
    other = await make_workspace(client, "Other Co")
    assert not (await integrations(other))["emailbison"]["connected"]


async def test_the_secret_is_stored_encrypted(workspace: Workspace, fake_providers: FakeProviders) -> None:
    await connect(workspace, "emailbison", fake_providers, api_key="eb-very-secret-key-123")
    async with read_session() as session:
        row = (
            await session.execute(
                text("SELECT * FROM integrations WHERE workspace_id = CAST(:w AS uuid)"), {"w": workspace.id}
            )
        ).one()
    assert "eb-very-secret-key-123" not in str(tuple(row))


async def test_without_a_secret_key_connecting_is_409_and_the_rest_works(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, fake_providers: FakeProviders
) -> None:
    monkeypatch.setenv("SETTERDESK_SECRET_KEY", "")
    reset_settings_cache()
    try:
        answer = await workspace.client.put(
            "/api/integrations/emailbison",
            json=connection("emailbison", fake_providers),
            headers=workspace.auth,
        )
        assert answer.status_code == 409
        assert answer.json()["error"]["code"] == "secret_key_missing"
        assert (await workspace.client.get("/api/integrations", headers=workspace.auth)).status_code == 200
    finally:
        monkeypatch.undo()
        reset_settings_cache()
