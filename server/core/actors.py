"""Who did what (API.md, "Team workflow"): the actor every event records, chosen where the work starts: the
user behind a request, the AI for what the model decided and wrote, the provider for what its webhook
reported, the system for sweeps and schedules."""

from __future__ import annotations

import uuid
from typing import Any, Final

Actor = dict[str, Any]

SYSTEM: Final[Actor] = {"type": "system"}
AI: Final[Actor] = {"type": "ai"}
# The provider behind each channel's webhooks.
_PROVIDER_OF_CHANNEL: Final = {"email": "EmailBison", "sms": "GoHighLevel", "linkedin": "Unipile"}


def user(user_id: uuid.UUID, name: str | None) -> Actor:
    return {"type": "user", "id": str(user_id), "name": name}


def provider(channel: str) -> Actor:
    return {"type": "provider", "name": _PROVIDER_OF_CHANNEL.get(channel, channel)}
