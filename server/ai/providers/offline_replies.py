"""What the offline provider writes: plain, decent setter replies built from what the lead asked.

Deterministic on purpose (no randomness, no clock), so the same conversation always gets the same draft.
It answers what it can recognise (a booking, a call or meeting request, a day the lead proposed, a pricing
or information question) and never states facts it does not have.
"""

from __future__ import annotations

import re
from typing import Final, Literal

Ask = Literal["booked", "call", "meeting", "price", "info"]

_ASK_PATTERNS: Final[dict[Ask, re.Pattern[str]]] = {
    "booked": re.compile(r"\b(booked|confirmed|see you (on|then|tomorrow)|accepted the invite)\b", re.I),
    "call": re.compile(r"\b(call|phone|ring me|dial)\b", re.I),
    "meeting": re.compile(r"\b(meet|meeting|calendar|schedule|zoom|demo|availability|slot)\b", re.I),
    "price": re.compile(r"\b(price|pricing|cost|costs|how much|quote|rates?|fees?)\b", re.I),
    "info": re.compile(r"\b(info|information|details|brochure|case stud(y|ies)|learn more|send me)\b", re.I),
}
_DAY = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow)\b", re.I)

_SUBJECTS: Final[dict[str, str]] = {
    "booked": "Our upcoming call",
    "price": "Pricing",
    "info": "More information",
    "call": "Setting up a call",
    "meeting": "Finding a time to meet",
    "": "Next steps",
}

_PRICE = (
    "On pricing: it depends on what you need, so rather than quote a number that doesn't fit, I'd like to "
    "understand your situation first."
)
_INFO = (
    "Happy to share more detail{for_company}; the quickest way to make it useful is to hear what matters "
    "to you."
)
_PRICE_SHORT = "Pricing depends on what you need, so a quick call is the best way to get you a real figure."


class Reply:
    """The parts of one reply, decided once from the lead's message and rendered per channel."""

    def __init__(self, lead_text: str, *, first_name: str | None, company: str | None) -> None:
        self.asks = {ask for ask, pattern in _ASK_PATTERNS.items() if pattern.search(lead_text)}
        day = _DAY.search(lead_text)
        self.day = day.group(1).capitalize() if day else None
        self.first_name = _short(first_name, 40)
        self.company = _short(company, 60)

    @property
    def main_ask(self) -> str:
        return next((ask for ask in _SUBJECTS if ask in self.asks), "")

    def email(self, thread_subject: str | None) -> tuple[str, str]:
        """(subject, body)."""
        body = "\n\n".join([self._greeting(), *self._paragraphs(), "Best regards,"])
        thread = (thread_subject or "").strip() or _SUBJECTS[self.main_ask]
        return (thread if thread.lower().startswith("re:") else f"Re: {thread}"), body

    def linkedin(self) -> str:
        return "\n\n".join([self._greeting(), *self._paragraphs()])

    def sms(self) -> str:
        opener = f"Hi {self.first_name}, " if self.first_name else "Hi, "
        if "booked" in self.asks:
            return (
                opener
                + "thanks for confirming! Looking forward to our call. If anything changes, text me here."
            )
        middle = f"{_PRICE_SHORT} " if "price" in self.asks else ""
        return f"{opener}thanks for getting back to me! {middle}{self._call_to_action(short=True)}"

    def _greeting(self) -> str:
        return f"Hi {self.first_name}," if self.first_name else "Hi,"

    def _paragraphs(self) -> list[str]:
        if "booked" in self.asks:
            return [
                "Thanks for confirming, I'm looking forward to speaking with you.",
                "If anything comes up before then, just reply here and we'll find another time.",
            ]
        first = ["Thanks for getting back to me."]
        if "price" in self.asks:
            first.append(_PRICE)
        if "info" in self.asks:
            first.append(
                _INFO.format(
                    for_company=f" about how this would work for {self.company}" if self.company else ""
                )
            )
        return [" ".join(first), self._call_to_action(short=False)]

    def _call_to_action(self, *, short: bool) -> str:
        if self.day:
            return f"Happy to look at {self.day}. What time that day works best for you?"
        if "meeting" in self.asks and "call" not in self.asks:
            return "Let's get a meeting on the calendar. What day and time suit you best this week?"
        if short:
            return "Would a quick call this week work? What day and time suit you?"
        at_company = f" at {self.company}" if self.company else ""
        return (
            f"A short call is the best next step: I'd like to hear how you handle this today{at_company} and "
            "see whether we can help. What day and time work best for you this week?"
        )


def _short(value: str | None, limit: int) -> str | None:
    text = " ".join((value or "").split())
    return (text if len(text) <= limit else text[:limit].rstrip()) or None
