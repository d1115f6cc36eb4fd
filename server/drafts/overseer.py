"""The meeting-overseer gate: a last model pass over how a draft handles scheduling.

Optional (settings.meeting_overseer_enabled) and never fatal: write_draft catches whatever this raises.
"""

from __future__ import annotations

from server.ai.prompts.drafts import DraftContext
from server.ai.prompts.overseer import meeting_overseer_prompt
from server.ai.providers.base import ModelProvider
from server.ai.runner import run_prompt


async def oversee(ctx: DraftContext, body: str, *, provider: ModelProvider | None = None) -> str | None:
    """The revised body when the overseer changes the draft, else None. Raises PromptFailed and others."""
    result = await run_prompt(meeting_overseer_prompt(ctx, body), provider=provider)
    if result.data["decision"] != "revise":
        return None
    revised = str(result.data["body"]).strip()
    return revised if revised and revised != body.strip() else None
