"""Model providers: OpenAI's Responses API and a deterministic offline stand-in."""

from __future__ import annotations

from server.ai.providers.base import (
    ModelProvider,
    ModelRequest,
    ModelResponse,
    PermanentModelError,
    TransientModelError,
)
from server.ai.providers.select import get_provider, reset_provider_cache

__all__ = [
    "ModelProvider",
    "ModelRequest",
    "ModelResponse",
    "PermanentModelError",
    "TransientModelError",
    "get_provider",
    "reset_provider_cache",
]
