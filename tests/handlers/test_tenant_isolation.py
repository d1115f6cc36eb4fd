"""Invariant 7 (docs/ARCHITECTURE.md): every route that takes an id answers 404 for another workspace's ids,
never data.

The routes come from the application's own route table, so a route added later is covered too.
"""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import AsyncTestClient

from tests.conftest import RunningWorker, Workspace
from tests.helpers import deliver, drain, interested_email, pending

# A body every id-taking route accepts, so validation never answers before the lookup does.
UNIVERSAL_BODY = {
    "content": "x",
    "version": 1,
    "channel": "email",
    "sentiment_tag": "Interested",
    "first_name": "Mallory",
    "force": True,
    "confirm_unknown": True,
}
# Path parameters that name a thing of the caller's own workspace, not an id (the provider of an integration).
NOT_IDS = ("/api/integrations/",)


def id_routes(app: Any) -> list[tuple[str, str]]:
    routes = []
    for route in app.routes:
        if (
            not route.path.startswith("/api/")
            or "{" not in route.path
            or route.path.startswith("/api/webhooks/")
            or route.path.startswith(NOT_IDS)
        ):
            continue
        for method in sorted(getattr(route, "methods", set())):
            if method not in ("HEAD", "OPTIONS"):
                routes.append((method, route.path))
    return routes


async def test_every_id_route_hides_other_workspaces(
    app: Any,
    client: AsyncTestClient[Any],
    workspace: Workspace,
    other_workspace: Workspace,
    worker: RunningWorker,
) -> None:
    # Workspace B has a lead with a message, a draft and a webhook event.
    result = await deliver(other_workspace, "email", interested_email())
    await drain(worker)
    [draft] = await pending(client, other_workspace, result["lead_id"])
    log = await client.get("/api/webhook-events", headers=other_workspace.auth)
    foreign_ids = {
        "lead_id": result["lead_id"],
        "draft_id": draft["id"],
        "event_id": log.json()["data"]["items"][0]["id"],
        "message_id": result["message_id"],
    }
    routes = id_routes(app)
    assert len(routes) >= 11, routes
    for method, path in routes:
        url = re.sub(r"\{(\w+):\w+\}", lambda m: foreign_ids[m.group(1)], path)
        response = await client.request(method, url, json=UNIVERSAL_BODY, headers=workspace.auth)
        assert response.status_code == 404, (method, path, response.status_code, response.text)
        body = response.text
        assert response.json()["success"] is False
        assert draft["content"] not in body and "prospect.io" not in body
    # Nothing in B changed.
    [still] = await pending(client, other_workspace, result["lead_id"])
    assert still["id"] == draft["id"] and still["version"] == 1
    lead = (await client.get(f"/api/leads/{result['lead_id']}", headers=other_workspace.auth)).json()["data"][
        "lead"
    ]
    assert lead["first_name"] != "Mallory"


async def test_lists_show_only_own_workspace(
    client: AsyncTestClient[Any], workspace: Workspace, other_workspace: Workspace
) -> None:
    await client.post("/api/leads", json={"first_name": "Mine"}, headers=workspace.auth)
    await client.post("/api/leads", json={"first_name": "Theirs"}, headers=other_workspace.auth)
    mine = (await client.get("/api/leads", headers=workspace.auth)).json()["data"]["items"]
    assert [lead["first_name"] for lead in mine] == ["Mine"]
    events = (await client.get("/api/webhook-events", headers=workspace.auth)).json()["data"]["items"]
    assert events == []


async def test_malformed_ids_are_404_not_500(client: AsyncTestClient[Any], workspace: Workspace) -> None:
    for url in ("/api/leads/not-a-uuid", "/api/drafts/123", "/api/webhook-events/%00"):
        response = await client.get(url, headers=workspace.auth)
        assert response.status_code == 404, (url, response.text)
