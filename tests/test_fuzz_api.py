"""Hostile input (issue 8 #6): generated bodies against every webhook and JSON API route of a real web
process. Never an answer >= 500, and every authenticated webhook body lands in the webhook event log.

CI tries about 2,100 bodies (400 per webhook channel, 100 per API route);
`FUZZ_EXAMPLES=500 pytest tests/test_fuzz_api.py` tries 10,500.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import SAMPLE_CHANNEL, sample, sign_up
from tests.processes import free_port, process_env, start_role, wait_http

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))

NASTY_TEXT = st.sampled_from(
    [
        "\u0000",
        "a\u0000b",
        "\ud800",
        "x\udfffy",
        "null",
        "",
        " ",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        "1e309",
        "-0",
        "<script>x</script>",
    ]
)
NUMBERS_AS_STRINGS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str), st.floats(allow_nan=False).map(repr)
)
TEXT = st.one_of(
    st.text(max_size=40),
    NASTY_TEXT,
    NUMBERS_AS_STRINGS,
    st.text(min_size=5000, max_size=20000).map(lambda s: s[:20000]),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    TEXT,
)
KEYS = st.sampled_from(
    [
        "event",
        "type",
        "data",
        "reply",
        "lead",
        "id",
        "email",
        "message",
        "message_id",
        "sender",
        "body",
        "content",
        "version",
        "channel",
        "sentiment_tag",
        "first_name",
        "phone",
        "contactId",
        "is_sender",
        "password",
        "name",
        "workspace_name",
        "role",
        "force",
        "appointment_booked_at",
        "status",
    ]
) | st.text(max_size=6)
JSON = st.recursive(
    SCALARS, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(KEYS, kids, max_size=6), max_leaves=30
)


def _mutate(value: Any, draw: st.DrawFn) -> Any:
    if isinstance(value, dict) and value:
        key = draw(st.sampled_from(sorted(value)))
        choice = draw(st.integers(0, 2))
        if choice == 0:
            del value[key]
        elif choice == 1:
            value[key] = draw(JSON)
        else:
            value[key] = _mutate(value[key], draw)
    elif isinstance(value, list) and value:
        index = draw(st.integers(0, len(value) - 1))
        value[index] = _mutate(value[index], draw)
    else:
        return draw(JSON)
    return value


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return draw(st.binary(max_size=200))  # not JSON, invalid UTF-8
    if kind == 1:
        depth = draw(st.integers(50, 3000))
        return ("[" * depth + "]" * depth).encode()  # deep nesting
    if kind == 2:
        base = sample(draw(st.sampled_from(sorted(SAMPLE_CHANNEL))))
        for _ in range(draw(st.integers(1, 4))):
            base = _mutate(base, draw)
        return json.dumps(base).encode()
    raw = json.dumps(draw(JSON), ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    return raw


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    port = free_port()
    env = process_env(PORT=str(port), DRAMATIQ_NAMESPACE=f"setterdesk-fuzz-{uuid.uuid4().hex[:6]}")
    web = start_role("web", env, Path(tmp_path_factory.mktemp("fuzz")) / "web.log")
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/healthz", process=web)
        http = httpx.Client(base_url=base, timeout=30)
        signup = sign_up(http, "Fuzz")
        auth = {"Authorization": f"Bearer {signup['token']}"}
        lead = http.post(
            "/api/leads", json={"first_name": "Fuzz", "email": "fuzz@x.io"}, headers=auth
        ).json()["data"]
        yield {"http": http, "auth": auth, "workspace": signup["workspace"], "lead": lead, "web": web}
    finally:
        web.stop()
        assert "Traceback" not in web.output() or "request.failed" not in web.output()


WEBHOOK_CHANNELS = ["email", "sms", "linkedin"]
API_ROUTES = [
    ("POST", "/api/signup"),
    ("POST", "/api/auth/login"),
    ("POST", "/api/leads"),
    ("PATCH", "/api/leads/{lead}"),
    ("PATCH", "/api/leads/{lead}/sentiment"),
    ("POST", "/api/leads/{lead}/drafts"),
    ("PATCH", "/api/drafts/{random}"),
    ("POST", "/api/drafts/{random}/approve"),
    ("POST", "/api/workspace/members"),
]


@pytest.mark.parametrize("channel", WEBHOOK_CHANNELS)
def test_webhook_fuzz_never_500_and_every_body_recorded(server: dict[str, Any], channel: str) -> None:
    http, workspace = server["http"], server["workspace"]
    sent: list[str] = []

    @settings(
        max_examples=EXAMPLES * 4, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    @given(body=bodies())
    def post(body: bytes) -> None:
        response = http.post(
            f"/api/webhooks/{channel}",
            params={"workspace": workspace["id"]},
            content=body,
            headers={"X-Webhook-Secret": workspace["webhook_secret"], "Content-Type": "application/json"},
        )
        assert response.status_code < 500, (response.status_code, response.text[:300])
        assert response.json()["success"] is (response.status_code == 200)
        if response.status_code != 413:
            sent.append(channel)

    post()
    recorded = 0
    cursor = None
    while True:
        params = {"channel": channel, "limit": 200, **({"cursor": cursor} if cursor else {})}
        page = http.get("/api/webhook-events", params=params, headers=server["auth"]).json()["data"]
        recorded += len(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert recorded == len(sent)


@pytest.mark.parametrize(("method", "path"), API_ROUTES)
def test_api_fuzz_never_500(server: dict[str, Any], method: str, path: str) -> None:
    http = server["http"]
    url = re.sub(r"\{lead\}", server["lead"]["id"], path).replace("{random}", str(uuid.uuid4()))

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(body=bodies())
    def call(body: bytes) -> None:
        response = http.request(
            method, url, content=body, headers={**server["auth"], "Content-Type": "application/json"}
        )
        assert response.status_code < 500, (method, path, response.status_code, response.text[:300])
        assert response.json()["success"] is (response.status_code < 300)

    call()
