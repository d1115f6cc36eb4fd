"""Reply drafts: email (strategy → generation → verifier) and one-step SMS and LinkedIn messages."""

from __future__ import annotations

import json
from typing import Any, Final

import msgspec

from server.ai import tasks
from server.ai.prompts.common import SETTER_RULES, lead_context, lead_facts, strict_object
from server.ai.runner import PromptSpec
from server.ai.transcript import LeadContext
from server.core.channels import Channel
from server.core.settings import get_settings

# Hard limits the writer enforces; the prompts aim lower.
CHANNEL_CHAR_LIMITS: Final[dict[str, int]] = {"sms": 300, "linkedin": 600}

# Room for low-effort reasoning (server/ai/reasoning.py) as well as the draft.
_FIRST_BUDGET: Final = 2000
_RETRY_MAX: Final = 6000
_RETRY_EXTRA: Final = 1200

STRATEGY_GOALS: Final = ("book_call", "confirm_meeting", "answer_then_book", "keep_warm")
STRATEGY_SCHEMA: dict[str, Any] = strict_object(
    {
        "lead_intent": {"type": "string"},
        "goal": {"type": "string", "enum": list(STRATEGY_GOALS)},
        "key_points": {"type": "array", "items": {"type": "string"}},
        "tone": {"type": "string"},
    }
)
EMAIL_SCHEMA: dict[str, Any] = strict_object({"subject": {"type": "string"}, "body": {"type": "string"}})
VERIFY_SCHEMA: dict[str, Any] = strict_object(
    {"verdict": {"type": "string", "enum": ["ok", "edited"]}, "body": {"type": "string"}}
)
SHORT_MESSAGE_SCHEMA: dict[str, Any] = strict_object({"body": {"type": "string"}})


class DraftContext(msgspec.Struct, kw_only=True, frozen=True):
    """What every draft prompt reads: the conversation and the message being answered."""

    channel: Channel
    lead: LeadContext
    transcript_text: str
    latest_inbound: str
    latest_subject: str | None = None

    def prompt_input(self) -> str:
        subject = f" (subject: {self.latest_subject})" if self.latest_subject else ""
        return (
            f"Lead details:\n{lead_facts(self.lead)}\n\n"
            f"Conversation, oldest first, all channels:\n{self.transcript_text or '(none)'}\n\n"
            f"Latest message from the lead{subject}, the one to answer on {self.channel}:\n"
            f"{self.latest_inbound or '(no text)'}"
        )

    def offline_context(self, **extra: Any) -> dict[str, Any]:
        return {
            **lead_context(self.lead),
            "channel": self.channel,
            "latest_inbound": self.latest_inbound,
            "latest_subject": self.latest_subject,
            **extra,
        }


STRATEGY_INSTRUCTIONS = f"""{SETTER_RULES}

Plan the email reply before anyone writes it. Decide:
- lead_intent: what the lead wants, in one sentence.
- goal: book_call when they are open to talking; confirm_meeting when a time is already proposed or booked \
(confirm it, never propose other times); answer_then_book when they asked a question that deserves a short \
answer first; keep_warm when they asked to be contacted later (agree on when, do not push).
- key_points: one to four short points the reply must cover, each grounded in the conversation.
- tone: a few words on the register to match, such as "brief and casual" or "formal"."""

EMAIL_INSTRUCTIONS = f"""{SETTER_RULES}

Write the setter's email reply, following the plan.
- subject: "Re: " and the thread's subject; without one, a short plain subject starting with "Re: ".
- body: a greeting with the lead's first name when known ("Hi Dana,", otherwise "Hi,"), two to four short \
paragraphs, then a sign-off line such as "Best regards," with no name after it: the sending system adds \
the signature.
Under 150 words, plain text, no markdown."""

VERIFY_INSTRUCTIONS = """\
You check a sales email draft before a setter sees it. Fix only real problems: claims the conversation does \
not support (remove them), placeholders such as [Name], a wrong name, a direct question from the lead left \
unanswered, a language other than the lead's, clear grammar mistakes. Keep everything else word for word, \
with the same structure, length and tone; do not rewrite for style.
Return verdict "ok" and the body unchanged when nothing needs fixing, else verdict "edited" and the \
corrected body."""

_SHORT_FORMAT = {
    "sms": "an SMS reply: at most 300 characters, ideally under 200; one to three short sentences; the "
    "first name when known; no greeting line, no sign-off, no links unless the conversation has them.",
    "linkedin": "a LinkedIn message reply: at most 600 characters; conversational; the first name when "
    "known; no subject line and no formal sign-off.",
}


def email_strategy_prompt(ctx: DraftContext) -> PromptSpec:
    return _spec(tasks.EMAIL_STRATEGY, STRATEGY_INSTRUCTIONS, ctx.prompt_input(), STRATEGY_SCHEMA, ctx, {})


def email_draft_prompt(ctx: DraftContext, strategy: dict[str, Any]) -> PromptSpec:
    text = f"{ctx.prompt_input()}\n\nPlan for the reply:\n{json.dumps(strategy, ensure_ascii=False)}"
    return _spec(tasks.EMAIL_DRAFT, EMAIL_INSTRUCTIONS, text, EMAIL_SCHEMA, ctx, {"strategy": strategy})


def email_verify_prompt(ctx: DraftContext, subject: str, body: str) -> PromptSpec:
    text = f"{ctx.prompt_input()}\n\nDraft to check (subject: {subject}):\n{body}"
    facts = {"draft_body": body}
    model = get_settings().model_verify
    return _spec(tasks.EMAIL_VERIFY, VERIFY_INSTRUCTIONS, text, VERIFY_SCHEMA, ctx, facts, model=model)


def short_message_prompt(ctx: DraftContext) -> PromptSpec:
    if ctx.channel not in _SHORT_FORMAT:
        raise ValueError(f"no one-step prompt for channel {ctx.channel!r}")
    task = tasks.SMS_DRAFT if ctx.channel == "sms" else tasks.LINKEDIN_DRAFT
    instructions = f"{SETTER_RULES}\n\nWrite the setter's {_SHORT_FORMAT[ctx.channel]}"
    return _spec(task, instructions, ctx.prompt_input(), SHORT_MESSAGE_SCHEMA, ctx, {})


def _spec(
    task: str,
    instructions: str,
    text: str,
    schema: dict[str, Any],
    ctx: DraftContext,
    facts: dict[str, Any],
    *,
    model: str | None = None,
) -> PromptSpec:
    return PromptSpec(
        task=task,
        model=model or get_settings().model_draft,
        instructions=instructions,
        input=text,
        schema_name=task,
        json_schema=schema,
        max_output_tokens=_FIRST_BUDGET,
        retry_max=_RETRY_MAX,
        retry_extra_tokens=_RETRY_EXTRA,
        context=ctx.offline_context(**facts),
    )
