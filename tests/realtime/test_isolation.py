"""Invariant 7 (docs/ARCHITECTURE.md) over /ws: another workspace's lead does not exist for you, its events
and presence never
reach you; no credentials, no socket; malformed frames get `bad_request` and the socket stays usable."""

from __future__ import annotations

import uuid

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from tests.realtime.conftest import OpenWs, Stack
from tests.realtime.helpers import Tenant, WsClient, ids_of, signup, types_of

pytestmark = pytest.mark.slow


async def test_other_workspaces_lead_is_not_found_and_silent(
    http: httpx.AsyncClient, tenant: Tenant, open_ws: OpenWs
) -> None:
    other = await signup(http, "Bea Other")
    theirs = await other.create_lead(first_name="Secret")
    mine = await tenant.create_lead()

    # Their own client, for a positive control: it does see what happens.
    owner = await open_ws(other.token, web=1)
    await owner.subscribe(theirs["id"])
    await owner.subscribe_inbox()

    intruders = [await open_ws(tenant.token, web=w) for w in (0, 1)]
    for intruder in intruders:
        for frame in (
            {"type": "subscribe", "lead_id": theirs["id"], "last_event_id": None},
            {"type": "subscribe", "lead_id": theirs["id"], "last_event_id": 0},
            {"type": "presence", "lead_id": theirs["id"], "state": "viewing", "channel": "email"},
        ):
            await intruder.send(frame)
            error = await intruder.recv_until(lambda f: f["type"] in ("error", "subscribed"))
            assert error["type"] == "error" and error["code"] == "not_found", (frame, error)
            assert theirs["id"] not in error["message"]
        await intruder.subscribe_inbox()
        await intruder.subscribe(mine["id"])

    # The other workspace works on its lead, and someone looks at it.
    viewer = await open_ws(other.token, web=0)
    await viewer.send({"type": "presence", "lead_id": theirs["id"], "state": "composing", "channel": "sms"})
    await other.patch_lead(theirs["id"], company="Their business")
    seen = await owner.events(
        until=lambda evs: "lead.updated" in types_of(evs) and "presence.changed" in types_of(evs),
        presence=True,
        timeout=10,
    )
    assert {e["workspace_id"] for e in seen} == {other.id}

    for intruder in intruders:
        frames = await intruder.nothing_for(0.5)
        leaked = [f for f in frames if f["type"] == "event" and f["event"]["workspace_id"] != tenant.id]
        assert leaked == []
        assert theirs["id"] not in str(frames)
    # And the intruders' own subscriptions still work.
    await tenant.patch_lead(mine["id"], company="Mine")
    for intruder in intruders:
        events = await intruder.events(until=lambda evs: len(ids_of(evs)) >= 2, quiet_s=0.3)
        assert {e["lead_id"] for e in events} == {mine["id"]}  # once on the lead, once on the inbox


@pytest.mark.parametrize(
    "query",
    ["", "?token=", "?token=not-a-token", f"?token={uuid.uuid4().hex}"],
    ids=["absent", "empty", "garbage", "unknown"],
)
async def test_bad_or_absent_credentials_refuse_the_handshake(stack: Stack, query: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await WsClient.open_url(f"{stack.webs[0].ws_url}/ws{query}")
    assert refused.value.response.status_code == 403


async def test_logged_out_token_is_refused(http: httpx.AsyncClient, stack: Stack) -> None:
    tenant = await signup(http)
    client = await WsClient.open(stack.webs[0].ws_url, tenant.token)
    await client.close()
    await tenant.call("POST", "/api/auth/logout")
    with pytest.raises(InvalidStatus) as refused:
        await WsClient.open(stack.webs[0].ws_url, tenant.token)
    assert refused.value.response.status_code == 403


async def test_cookie_authenticated_sockets_must_be_same_origin(
    http: httpx.AsyncClient, stack: Stack
) -> None:
    tenant = await signup(http)
    login = await http.post(
        "/api/auth/login", json={"email": tenant.user["email"], "password": "correct horse battery"}
    )
    assert login.status_code == 200, login.text
    cookie = {"Cookie": f"setterdesk_session={login.cookies['setterdesk_session']}"}
    web = stack.webs[0]
    own_page = f"http://127.0.0.1:{web.port}"

    for origin in (None, own_page):
        client = await WsClient.open_url(f"{web.ws_url}/ws", additional_headers=cookie, origin=origin)
        await client.send({"type": "ping"})
        assert await client.recv() == {"type": "pong"}
        await client.close()
    # Cross-site websocket hijacking: the browser would attach the cookie to another site's request.
    with pytest.raises(InvalidStatus) as refused:
        await WsClient.open_url(f"{web.ws_url}/ws", additional_headers=cookie, origin="https://evil.example")
    assert refused.value.response.status_code == 403
    # A token is no ambient credential: it works from anywhere.
    client = await WsClient.open(web.ws_url, tenant.token, origin="https://elsewhere.example")
    await client.close()


async def test_malformed_frames_get_bad_request_and_the_socket_stays_usable(
    tenant: Tenant, open_ws: OpenWs
) -> None:
    lead = await tenant.create_lead()
    client = await open_ws(tenant.token)
    bad_requests: list[str | bytes | dict[str, object]] = [
        "not json",
        "",
        "[1, 2, 3]",
        '"a string"',
        "null",
        b"\x00\x01binary",
        "{}",
        {"type": "dance"},
        {"type": 7},
        {"type": "subscribe", "lead_id": lead["id"], "last_event_id": -1},
        {"type": "subscribe", "lead_id": lead["id"], "last_event_id": "12"},
        {"type": "subscribe", "lead_id": lead["id"], "last_event_id": 1.5},
        {"type": "subscribe", "lead_id": lead["id"], "last_event_id": True},
        {"type": "subscribe_inbox", "last_event_id": -5},
        # Beyond the BIGINT event ids: refused up front, not an ack followed by a database error.
        {"type": "subscribe", "lead_id": lead["id"], "last_event_id": 2**63},
        {"type": "subscribe", "lead_id": lead["id"], "last_event_id": 10**30},
        {"type": "subscribe_inbox", "last_event_id": 2**64},
        {"type": "presence", "lead_id": lead["id"], "state": "dancing", "channel": None},
        {"type": "presence", "lead_id": lead["id"], "state": "viewing", "channel": "fax"},
    ]
    for frame in bad_requests:
        await client.send(frame)
        reply = await client.recv(timeout=5)
        assert reply["type"] == "error" and reply["code"] == "bad_request", (frame, reply)
    not_found: list[dict[str, object]] = [
        {"type": "subscribe", "lead_id": "not-a-uuid"},
        {"type": "subscribe"},
        {"type": "subscribe", "lead_id": str(uuid.uuid4())},
        {"type": "unsubscribe", "lead_id": ["x"]},
    ]
    for frame in not_found:
        await client.send(frame)
        reply = await client.recv(timeout=5)
        assert reply["type"] == "error" and reply["code"] == "not_found", (frame, reply)

    await client.send({"type": "ping"})
    assert await client.recv(timeout=5) == {"type": "pong"}
    baseline = await client.subscribe(lead["id"])
    await tenant.patch_lead(lead["id"], company="Still listening")
    [event] = await client.events(until=lambda evs: len(evs) >= 1, quiet_s=0.3)
    assert event["id"] > baseline and event["data"]["lead"]["company"] == "Still listening"
