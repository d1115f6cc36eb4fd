"""How hard a reasoning model thinks on each task, and whether the model reasons at all.

Reasoning models (gpt-5 family, o-series) spend hidden reasoning tokens out of `max_output_tokens`; left at
its default effort a small classification budget can go entirely to reasoning and come back `incomplete`
with no answer. Each task sends the effort it needs (settings, `REASONING_<TASK>`; empty: the model's
default), and the prompts' budgets leave room for it. Other models get no `reasoning` parameter: they would
refuse it.
"""

from __future__ import annotations

import re
from typing import Final

from server.ai import tasks
from server.core.settings import get_settings

_REASONING_MODELS: Final = re.compile(r"^(gpt-5|o\d)", re.IGNORECASE)
# The settings field holding each task's effort.
_EFFORT_OF_TASK: Final = {
    tasks.SENTIMENT_CLASSIFICATION: "reasoning_classify",
    tasks.EMAIL_STRATEGY: "reasoning_draft",
    tasks.EMAIL_DRAFT: "reasoning_draft",
    tasks.SMS_DRAFT: "reasoning_draft",
    tasks.LINKEDIN_DRAFT: "reasoning_draft",
    tasks.EMAIL_VERIFY: "reasoning_verify",
    tasks.MEETING_OVERSEER: "reasoning_overseer",
    tasks.THREAD_COMPRESSION: "reasoning_insights",
    tasks.CONVERSATION_INSIGHT: "reasoning_insights",
}


def is_reasoning_model(model: str) -> bool:
    return bool(_REASONING_MODELS.match(model.rsplit("/", 1)[-1]))


def reasoning_effort(task: str, model: str) -> str | None:
    """The effort to send for this task on this model, or None to send none."""
    if not is_reasoning_model(model):
        return None
    field = _EFFORT_OF_TASK.get(task)
    effort: str = getattr(get_settings(), field, "") if field else ""
    return effort or None
