"""A benchmark's workspace: signed up over the API like a new customer, one owner account each."""

from __future__ import annotations

import uuid
from typing import Any

import aiohttp


async def signup(http: aiohttp.ClientSession, base: str, workspace_name: str) -> dict[str, Any]:
    """POST /api/signup; its data: the token, the workspace (id, webhook_secret) and the user."""
    body = {
        "workspace_name": workspace_name,
        "name": "Bench Owner",
        "email": f"bench-{uuid.uuid4().hex[:12]}@example.com",
        "password": "bench password 1234",
    }
    async with http.post(f"{base}/api/signup", json=body) as response:
        payload = await response.json()
        if response.status != 201:
            raise RuntimeError(f"POST /api/signup answered {response.status}: {payload}")
    data: dict[str, Any] = payload["data"]
    return data
