"""Pieces every prompt shares: the setter's ground rules, lead facts, and the strict-schema shape."""

from __future__ import annotations

from typing import Any

from server.ai.transcript import LeadContext

SETTER_RULES = """\
You work as a sales setter: you answer leads who replied to outreach, and your one goal is to book a short \
call or meeting with them.
Ground rules:
- Use only facts found in the conversation or the lead details. Never invent prices, dates, times, links, \
names, results or features. If the lead asks something the conversation cannot answer, say a short call is \
the best place to cover it.
- Answer what the lead actually asked before you ask for anything.
- Match the lead's language, formality and length. Plain words, no hype, no emojis unless the lead uses them.
- Never write placeholders such as [Name], {first_name} or <link>. If a fact is unknown, write around it.
- One clear next step, usually an easy question about when they are free."""


def strict_object(properties: dict[str, Any]) -> dict[str, Any]:
    """OpenAI strict mode wants every property required and no others allowed."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def lead_facts(lead: LeadContext) -> str:
    name = " ".join(part for part in (lead.first_name, lead.last_name) if part) or "unknown"
    lines = [
        f"Name: {name}",
        f"Company: {lead.company or 'unknown'}",
        f"Current sentiment tag: {lead.sentiment_tag}",
        f"Meeting already booked: {'yes' if lead.appointment_booked else 'no'}",
    ]
    return "\n".join(lines)


def lead_context(lead: LeadContext) -> dict[str, Any]:
    """The lead facts the offline provider reads."""
    return {
        "first_name": lead.first_name,
        "company": lead.company,
        "appointment_booked": lead.appointment_booked,
    }
