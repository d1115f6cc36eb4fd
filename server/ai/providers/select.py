"""Pick the model provider from settings, once.

The OpenAI client pools connections that belong to the event loop that opened them, and workers may run
each job under a fresh loop (asyncio.run), so an OpenAI provider is cached per running loop. The offline
provider holds no I/O and is shared.
"""

from __future__ import annotations

import asyncio
import weakref

from server.ai.providers.base import ModelProvider
from server.ai.providers.offline import OfflineProvider
from server.core.settings import Settings, get_settings

_shared: ModelProvider | None = None
_per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ModelProvider] = weakref.WeakKeyDictionary()


def uses_openai(settings: Settings) -> bool:
    return settings.llm_provider == "openai" and bool(settings.openai_api_key)


def build_provider(settings: Settings) -> ModelProvider:
    if uses_openai(settings):
        # Imported here so that the offline mode never pays for importing the SDK.
        from server.ai.providers.openai_provider import OpenAIProvider

        return OpenAIProvider.from_settings(settings)
    return OfflineProvider()


def get_provider() -> ModelProvider:
    """The provider the settings ask for. With OpenAI, call it inside the event loop that will use it."""
    global _shared
    settings = get_settings()
    if not uses_openai(settings):
        if _shared is None:
            _shared = build_provider(settings)
        return _shared
    loop = asyncio.get_running_loop()
    provider = _per_loop.get(loop)
    if provider is None:
        provider = _per_loop[loop] = build_provider(settings)
    return provider


def reset_provider_cache() -> None:
    """Tests change settings; the next get_provider() builds a fresh provider from them."""
    global _shared
    _shared = None
    _per_loop.clear()
