"""Signup, login, logout, teammates, webhook secret rotation (API.md: Workspaces, users, sessions)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.core.settings import reset_settings_cache
from tests.conftest import Workspace


async def test_signup_returns_workspace_owner_and_token(client: AsyncTestClient[Any]) -> None:
    email = f"Dana-{uuid.uuid4().hex[:8]}@Example.com"
    response = await client.post(
        "/api/signup",
        json={"workspace_name": "Acme", "name": "Dana", "email": email, "password": "long enough pw"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True
    data = body["data"]
    assert data["user"]["role"] == "owner"
    assert data["user"]["email"] == email.lower()
    assert data["workspace"]["webhook_secret"]
    assert data["token"]
    me = await client.get("/api/me", headers={"Authorization": f"Bearer {data['token']}"})
    assert me.json()["data"]["user"]["id"] == data["user"]["id"]


async def test_login_sets_httponly_cookie_that_authenticates(
    client: AsyncTestClient[Any], workspace: Workspace
) -> None:
    me = await client.get("/api/me", headers=workspace.auth)
    email = me.json()["data"]["user"]["email"]
    client.cookies.clear()
    response = await client.post("/api/auth/login", json={"email": email, "password": workspace.password})
    assert response.status_code == 200
    cookie_header = response.headers.get("set-cookie", "")
    assert "HttpOnly" in cookie_header and "SameSite=lax" in cookie_header.replace("Lax", "lax")
    assert (await client.get("/api/me")).status_code == 200  # the cookie alone


async def test_wrong_credentials_answer_the_same_whether_or_not_the_email_exists(
    client: AsyncTestClient[Any], workspace: Workspace
) -> None:
    email = (await client.get("/api/me", headers=workspace.auth)).json()["data"]["user"]["email"]
    wrong_password = await client.post("/api/auth/login", json={"email": email, "password": "nope nope nope"})
    unknown_email = await client.post(
        "/api/auth/login", json={"email": f"nobody-{uuid.uuid4().hex[:8]}@example.com", "password": "x" * 10}
    )
    for response in (wrong_password, unknown_email):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_credentials"
    assert wrong_password.json() == unknown_email.json()


async def test_logout_revokes_the_token(client: AsyncTestClient[Any], workspace: Workspace) -> None:
    assert (await client.post("/api/auth/logout", headers=workspace.auth)).status_code == 200
    client.cookies.clear()
    response = await client.get("/api/me", headers=workspace.auth)
    assert response.status_code == 401
    assert response.json()["success"] is False


async def test_no_credentials_is_401_envelope(client: AsyncTestClient[Any]) -> None:
    client.cookies.clear()
    response = await client.get("/api/leads")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


async def test_members_roles_and_secret_rotation(client: AsyncTestClient[Any], workspace: Workspace) -> None:
    setter = await workspace.add_member("setter")
    assert setter["user"]["role"] == "setter"
    setter_auth = {"Authorization": f"Bearer {setter['token']}"}
    # A setter may not add teammates nor rotate the secret, nor see the secret.
    forbidden = await client.post(
        "/api/workspace/members",
        json={"name": "X", "email": "x@example.com", "password": "long enough", "role": "setter"},
        headers=setter_auth,
    )
    assert forbidden.status_code == 403
    assert (await client.post("/api/workspace/webhook-secret/rotate", headers=setter_auth)).status_code == 403
    assert (await client.get("/api/me", headers=setter_auth)).json()["data"]["workspace"][
        "webhook_secret"
    ] is None
    rotated = await client.post("/api/workspace/webhook-secret/rotate", headers=workspace.auth)
    new_secret = rotated.json()["data"]["webhook_secret"]
    assert new_secret != workspace.secret
    old = await client.post(
        workspace.webhook_url("sms"), content=b"{}", headers={"X-Webhook-Secret": workspace.secret}
    )
    assert old.status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"workspace_name": "A", "name": "B", "email": "not-an-email", "password": "long enough"},
        {"workspace_name": "A", "name": "B", "email": "a@b.co", "password": "short"},
        {"workspace_name": "", "name": "B", "email": "a@b.co", "password": "long enough"},
        {"workspace_name": "A", "name": 5, "email": "a@b.co", "password": "long enough"},
        {"name": "B"},
    ],
)
async def test_signup_bad_input_is_a_clear_400(client: AsyncTestClient[Any], body: dict[str, Any]) -> None:
    response = await client.post("/api/signup", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["success"] is False
    assert response.json()["error"]["message"]


async def test_duplicate_email_is_409(client: AsyncTestClient[Any]) -> None:
    body = {
        "workspace_name": "A",
        "name": "B",
        "email": f"d-{uuid.uuid4().hex[:6]}@b.co",
        "password": "long enough",
    }
    assert (await client.post("/api/signup", json=body)).status_code == 201
    again = await client.post("/api/signup", json=body)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "email_taken"


async def test_signup_can_be_switched_off(
    client: AsyncTestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGNUP_ENABLED", "false")
    reset_settings_cache()
    try:
        response = await client.post(
            "/api/signup",
            json={"workspace_name": "A", "name": "B", "email": "z@b.co", "password": "long enough"},
        )
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "signup_disabled"
    finally:
        monkeypatch.delenv("SIGNUP_ENABLED")
        reset_settings_cache()


async def test_not_json_body_is_400(client: AsyncTestClient[Any]) -> None:
    response = await client.post(
        "/api/signup", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["success"] is False


async def test_repeated_failed_logins_are_rate_limited(
    client: AsyncTestClient[Any], workspace: Workspace
) -> None:
    email = (await client.get("/api/me", headers=workspace.auth)).json()["data"]["user"]["email"]
    for _ in range(5):
        wrong = await client.post("/api/auth/login", json={"email": email, "password": "wrong password"})
        assert wrong.status_code == 401
    limited = await client.post("/api/auth/login", json={"email": email, "password": workspace.password})
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["retry-after"]) > 0
    # Another account from the same client is not locked out by this one.
    other = await client.post(
        "/api/signup",
        json={
            "workspace_name": "B",
            "name": "B",
            "email": f"b-{uuid.uuid4().hex[:8]}@x.io",
            "password": "long enough",
        },
    )
    assert other.status_code == 201


async def test_cookie_authenticated_unsafe_requests_need_our_origin(
    client: AsyncTestClient[Any], workspace: Workspace
) -> None:
    email = (await client.get("/api/me", headers=workspace.auth)).json()["data"]["user"]["email"]
    client.cookies.clear()
    await client.post("/api/auth/login", json={"email": email, "password": workspace.password})
    assert (await client.get("/api/leads")).status_code == 200  # safe: the cookie alone is enough
    cross_site = await client.post(
        "/api/leads", json={"first_name": "X"}, headers={"Origin": "https://evil.example"}
    )
    assert cross_site.status_code == 403 and cross_site.json()["error"]["code"] == "csrf_failed"
    marked = await client.post(
        "/api/leads", json={"first_name": "X"}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert marked.status_code == 403
    no_origin = await client.post("/api/leads", json={"first_name": "X"})  # not a browser
    assert no_origin.status_code == 201
    same_site = await client.post(
        "/api/leads", json={"first_name": "X"}, headers={"Origin": "http://testserver.local"}
    )
    assert same_site.status_code == 201, same_site.text
    # A bearer token is not a CSRF vector: no Origin needed.
    client.cookies.clear()
    assert (
        await client.post("/api/leads", json={"first_name": "Y"}, headers=workspace.auth)
    ).status_code == 201
