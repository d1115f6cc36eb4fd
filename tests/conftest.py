"""Test environment: a dedicated PostgreSQL database and Redis namespace, real connections only.

Each test isolates its data in a workspace of its own (see `workspace`), so tests never see each
other's rows even though they share one migrated database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from sqlalchemy.engine import make_url

_DB_NAME = os.environ.get("SETTERDESK_TEST_DB", "setterdesk_test")
_BASE_PG = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/setterdesk")
# The same server (TCP or a Unix socket given as ?host=), another database.
os.environ["DATABASE_URL"] = make_url(_BASE_PG).set(database=_DB_NAME).render_as_string(hide_password=False)
os.environ["REDIS_URL"] = os.environ.get(
    "TEST_REDIS_URL", os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
)
os.environ["DRAMATIQ_NAMESPACE"] = f"setterdesk-test-{os.getpid()}"
os.environ.setdefault("LLM_PROVIDER", "offline")
os.environ.pop("OPENAI_API_KEY", None)
os.environ["LOG_JSON"] = "true"
# Integration secrets are encrypted with this key (a Fernet key); sends retry quickly.
os.environ["SETTERDESK_SECRET_KEY"] = "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdDE="
os.environ["SEND_RETRY_BASE_S"] = "0.05"

from litestar.testing import AsyncTestClient  # noqa: E402

from server.core.db.migrate import upgrade  # noqa: E402
from server.core.settings import reset_settings_cache  # noqa: E402
from tests.fakes.openai_fixtures import (  # noqa: E402, F401  (fixtures for every test folder)
    fake_openai,
    fake_openai_server,
    openai_env,
    openai_provider,
)
from tests.fakes.provider_fixtures import fake_providers, fake_providers_server  # noqa: E402, F401

reset_settings_cache()


@pytest.fixture(scope="session", autouse=True)
def migrated_database() -> Iterator[str]:
    upgrade()
    yield os.environ["DATABASE_URL"]


@pytest.fixture(scope="session")
def app() -> Any:
    from server.app import create_app

    return create_app()


@pytest.fixture
async def client(app: Any) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app=app) as c:
        yield c


class Workspace:
    """A fresh workspace with its owner, for one test."""

    def __init__(self, client: AsyncTestClient[Any], data: dict[str, Any], password: str) -> None:
        self.client = client
        self.id: str = data["workspace"]["id"]
        self.secret: str = data["workspace"]["webhook_secret"]
        self.token: str = data["token"]
        self.owner: dict[str, Any] = data["user"]
        self.password = password

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def webhook_url(self, channel: str) -> str:
        return f"/api/webhooks/{channel}?workspace={self.id}"

    @property
    def webhook_headers(self) -> dict[str, str]:
        return {"X-Webhook-Secret": self.secret, "Content-Type": "application/json"}

    async def add_member(self, role: str = "setter", name: str = "Sam Setter") -> dict[str, Any]:
        response = await self.client.post(
            "/api/workspace/members",
            json={
                "name": name,
                "email": f"{uuid.uuid4().hex[:10]}@example.com",
                "password": "correct horse",
                "role": role,
            },
            headers=self.auth,
        )
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()["data"]
        return data


async def make_workspace(client: AsyncTestClient[Any], name: str = "Acme") -> Workspace:
    password = "correct horse battery"
    response = await client.post(
        "/api/signup",
        json={
            "workspace_name": name,
            "name": "Olive Owner",
            "email": f"owner-{uuid.uuid4().hex[:12]}@example.com",
            "password": password,
        },
    )
    assert response.status_code == 201, response.text
    return Workspace(client, response.json()["data"], password)


@pytest.fixture
async def workspace(client: AsyncTestClient[Any]) -> Workspace:
    return await make_workspace(client)


@pytest.fixture
async def other_workspace(client: AsyncTestClient[Any]) -> Workspace:
    return await make_workspace(client, "Other Co")


class RunningWorker:
    """A real Dramatiq worker (Redis broker, AsyncIO actors) inside the test process."""

    def __init__(self, broker: Any, worker: Any) -> None:
        self.broker = broker
        self.worker = worker

    def drain(self, timeout_s: float = 60.0) -> None:
        """Wait until every enqueued job (and any job those jobs enqueued) has finished."""
        from server.core.jobs import QUEUES

        for _ in range(5):
            for queue in QUEUES:
                self.broker.join(queue, timeout=int(timeout_s * 1000))
            self.worker.join()
        for queue in QUEUES:
            self.broker.join(queue, timeout=int(timeout_s * 1000))


@pytest.fixture(scope="session")
def worker() -> Iterator[RunningWorker]:
    from dramatiq import Worker

    import workers.actors  # noqa: F401  (registers the actors)
    from server.core.broker import get_broker

    broker = get_broker()
    broker.flush_all()
    running = Worker(broker, worker_threads=4, worker_timeout=100)
    running.start()
    yield RunningWorker(broker, running)
    running.stop()
    broker.flush_all()
