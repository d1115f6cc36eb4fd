"""Connecting a test workspace's providers to the fake providers."""

from __future__ import annotations

from typing import Any

from tests.conftest import Workspace
from tests.fakes.fake_providers import FakeProviders

LOCATION_ID = "l1C08ntBrFjLS0elLIYU"  # the GoHighLevel sample's location
ACCOUNT_ID = "acct_test_0001"  # the Unipile sample's account


def connection(provider: str, fake: FakeProviders, **overrides: str) -> dict[str, str]:
    bodies = {
        "emailbison": {"base_url": fake.base_url, "api_key": "eb-key"},
        "gohighlevel": {
            "base_url": fake.base_url,
            "location_id": LOCATION_ID,
            "private_integration_token": "ghl-token",
        },
        "unipile": {"base_url": fake.base_url, "api_key": "unipile-key", "account_id": ACCOUNT_ID},
    }
    return {**bodies[provider], **overrides}


async def connect(
    workspace: Workspace, provider: str, fake: FakeProviders, **overrides: str
) -> dict[str, Any]:
    answer = await workspace.client.put(
        f"/api/integrations/{provider}", json=connection(provider, fake, **overrides), headers=workspace.auth
    )
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()["data"]
    return data
