"""Pytest fixtures around the fake OpenAI server. A conftest imports them:

    from tests.fakes.openai_fixtures import (  # noqa: F401
        fake_openai, fake_openai_server, openai_env, openai_provider,
    )

- fake_openai_server: one server for the whole session.
- fake_openai: that server, with its script and recorded requests cleared before and after the test.
- openai_provider: an OpenAIProvider (official SDK, api key "test-key") pointed at it.
- openai_env: the environment a worker process would get (LLM_PROVIDER=openai, OPENAI_BASE_URL=the fake,
  fast backoff), with the settings and provider caches reset so get_provider() returns the OpenAI provider.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from server.ai.providers.openai_provider import OpenAIProvider
from server.ai.providers.select import reset_provider_cache
from server.core.settings import reset_settings_cache
from tests.fakes.fake_openai import FakeOpenAIServer

TEST_API_KEY = "test-key"


@pytest.fixture(scope="session")
def fake_openai_server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture
def fake_openai(fake_openai_server: FakeOpenAIServer) -> Iterator[FakeOpenAIServer]:
    fake_openai_server.reset()
    yield fake_openai_server
    fake_openai_server.reset()


@pytest.fixture
async def openai_provider(fake_openai: FakeOpenAIServer) -> AsyncIterator[OpenAIProvider]:
    provider = OpenAIProvider(api_key=TEST_API_KEY, base_url=fake_openai.base_url, timeout_s=5.0)
    yield provider
    await provider.aclose()


@pytest.fixture
def openai_env(fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    env = {
        "LLM_PROVIDER": "openai",
        "OPENAI_API_KEY": TEST_API_KEY,
        "OPENAI_BASE_URL": fake_openai.base_url,
        "OPENAI_TIMEOUT_S": "5",
        "OPENAI_BACKOFF_BASE_S": "0.001",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    reset_settings_cache()
    reset_provider_cache()
    yield env
    reset_settings_cache()
    reset_provider_cache()
