"""Meeting overseer: a last look at how a draft handles scheduling, which may revise it."""

from __future__ import annotations

from typing import Any

from server.ai import tasks
from server.ai.prompts.common import strict_object
from server.ai.prompts.drafts import DraftContext
from server.ai.runner import PromptSpec
from server.core.settings import get_settings

OVERSEER_SCHEMA: dict[str, Any] = strict_object(
    {"decision": {"type": "string", "enum": ["keep", "revise"]}, "body": {"type": "string"}}
)

INSTRUCTIONS = """\
You review a sales setter's draft reply only for how it handles meetings and scheduling. Revise it when it:
- proposes new times although the lead already proposed some (accept the lead's time instead);
- asks to book although a meeting is already booked (confirm the booked meeting instead);
- states dates, times, time zones, links or attendees that the conversation does not contain;
- ignores the lead's request to reschedule or cancel;
- pushes for a call although the lead asked for written information only (give what can be given and keep \
the call as a light offer).
Otherwise return decision "keep" and the draft unchanged. When you revise, change only what the problem \
needs and keep the language, tone, length and channel format; never add placeholders."""


def meeting_overseer_prompt(ctx: DraftContext, body: str) -> PromptSpec:
    return PromptSpec(
        task=tasks.MEETING_OVERSEER,
        model=get_settings().model_overseer,
        instructions=INSTRUCTIONS,
        input=f"{ctx.prompt_input()}\n\nDraft reply on {ctx.channel} to review:\n{body}",
        schema_name=tasks.MEETING_OVERSEER,
        json_schema=OVERSEER_SCHEMA,
        # Room for minimal reasoning (server/ai/reasoning.py) as well as the answer.
        max_output_tokens=1200,
        retry_max=3600,
        retry_extra_tokens=800,
        context=ctx.offline_context(draft_body=body),
    )
