"""get_provider(): OpenAI when configured with a key, the offline provider otherwise, built once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from server.ai.providers.base import ModelProvider
from server.ai.providers.offline import OfflineProvider
from server.ai.providers.openai_provider import OpenAIProvider
from server.ai.providers.select import get_provider, reset_provider_cache
from server.ai.runner import run_prompt
from server.core.settings import reset_settings_cache
from tests.ai.prompt_samples import all_specs
from tests.fakes.fake_openai import FakeOpenAIServer


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    reset_settings_cache()
    reset_provider_cache()
    yield
    reset_settings_cache()
    reset_provider_cache()


async def test_offline_without_a_key(monkeypatch: pytest.MonkeyPatch, fresh_caches: None) -> None:
    monkeypatch.setenv("LLM_PROVIDER", "openai")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)

    provider = get_provider()

    assert isinstance(provider, OfflineProvider)
    assert get_provider() is provider


async def test_openai_when_configured_and_reused(openai_env: dict[str, str]) -> None:
    provider = get_provider()

    assert isinstance(provider, OpenAIProvider)
    assert get_provider() is provider
    assert "test-key" not in repr(provider)
    reset_provider_cache()
    assert get_provider() is not provider


async def test_the_default_provider_reaches_the_fake_server(
    openai_env: dict[str, str], fake_openai: FakeOpenAIServer
) -> None:
    result = await run_prompt(all_specs()["sms"])

    assert result.provider == "openai"
    assert [r.format_name for r in fake_openai.requests] == ["sms_draft"]


def test_each_event_loop_gets_its_own_openai_client(openai_env: dict[str, str]) -> None:
    async def current() -> ModelProvider:
        return get_provider()

    # Workers may run each job under asyncio.run(); a pooled client must not cross loops.
    assert asyncio.run(current()) is not asyncio.run(current())
