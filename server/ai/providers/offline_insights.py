"""What the offline provider writes for booked-conversation insights: digests and the insight itself.

Deterministic, built from the message facts in the request context by keyword: objections the lead raised
(and whether the setter answered them), concrete times offered, follow-ups sent without a reply. Quotes are
copied from the messages, never made up.
"""

from __future__ import annotations

import re
from typing import Any, Final

from server.core.text_cleaning import own_words

_OBJECTIONS: Final[dict[str, re.Pattern[str]]] = {
    "pricing": re.compile(r"\b(price|pricing|cost|costs|expensive|budget|afford|cheaper)\b", re.I),
    "timing": re.compile(r"\b(not (right )?now|too busy|bad time|next (month|quarter|year)|timing)\b", re.I),
    "authority": re.compile(
        r"\b(my (boss|manager|partner|team)|decision[- ]maker|approval|sign[- ]off|check with)\b", re.I
    ),
    "need": re.compile(r"\b(don'?t (really )?need|no need|not a priority|not sure (we|it|this))\b", re.I),
    "trust": re.compile(r"\b(scam|legit|reviews?|references?|proof|guarantee)\b", re.I),
    "competitor": re.compile(
        r"\b(already (use|have|work with)|competitor|another (vendor|provider|agency)|switch(ing)? from)\b",
        re.I,
    ),
}
_ASKS_TO_MEET = re.compile(r"\b(call|meet|meeting|demo|zoom|calendar|schedule|book(ed)?)\b", re.I)
_CONCRETE_TIME = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|tomorrow|\d{1,2}(:\d\d)?\s?(am|pm))\b", re.I
)
_PHRASES = re.compile(
    r"\b(quick call|short call|demo|pricing|case stud(y|ies)|calendar|next week|tomorrow|booked|"
    r"monday|tuesday|wednesday|thursday|friday|budget|references?|confirmed)\b",
    re.I,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_QUOTE_CHARS = 200
_LONG_SILENCE = 3  # setter messages in a row without a reply that count as a stalled follow-up


def _first_sentence(text: str) -> str:
    words = " ".join(own_words(text).split())
    sentence = _SENTENCE_END.split(words, maxsplit=1)[0] if words else ""
    return sentence if len(sentence) <= _QUOTE_CHARS else sentence[: _QUOTE_CHARS - 1].rstrip() + "…"


def _is_lead(message: dict[str, Any]) -> bool:
    return message.get("sent_by") == "lead" or message.get("speaker") == "lead"


def _objections(messages: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """(objection type, index of the lead message that first raised it), in order."""
    found: dict[str, int] = {}
    for index, message in enumerate(messages):
        if _is_lead(message):
            for kind, pattern in _OBJECTIONS.items():
                if kind not in found and pattern.search(own_words(str(message.get("body") or ""))):
                    found[kind] = index
    return sorted(found.items(), key=lambda item: item[1])


def _next_setter_reply(messages: list[dict[str, Any]], after: int) -> dict[str, Any] | None:
    return next((m for m in messages[after + 1 :] if not _is_lead(m)), None)


def _longest_silence(messages: list[dict[str, Any]]) -> int:
    longest = run = 0
    for message in messages:
        run = 0 if _is_lead(message) else run + 1
        longest = max(longest, run)
    return longest


def _phrases(messages: list[dict[str, Any]]) -> list[str]:
    seen: list[str] = []
    for message in messages:
        for match in _PHRASES.finditer(str(message.get("body") or "")):
            phrase = match.group(0).lower()
            if phrase not in seen:
                seen.append(phrase)
    return seen[:8]


def _quotes(lead_messages: list[dict[str, Any]], limit: int) -> list[str]:
    telling = [
        m
        for m in lead_messages
        if _ASKS_TO_MEET.search(str(m.get("body") or ""))
        or any(p.search(str(m.get("body") or "")) for p in _OBJECTIONS.values())
    ]
    quotes = [_first_sentence(str(m.get("body") or "")) for m in telling or lead_messages]
    return list(dict.fromkeys(q for q in quotes if q))[:limit]


def write_digest(context: dict[str, Any]) -> dict[str, Any]:
    pieces: list[dict[str, Any]] = list(context.get("pieces") or [])
    lead = [p for p in pieces if p.get("speaker") == "lead"]
    setter = [p for p in pieces if p.get("speaker") == "setter"]
    channels = sorted({str(p["channel"]) for p in pieces if p.get("channel")})
    parts = [
        f"{context.get('first_at')} to {context.get('last_at')}, {context.get('messages')} messages"
        + (f" on {', '.join(channels)}" if channels else "")
        + (f": {len(lead)} from the lead, {len(setter)} from the setter." if lead or setter else ".")
    ]
    kinds = [kind for kind, _ in _objections(pieces)]
    if kinds:
        parts.append(f"The lead raised {', '.join(kinds)} concerns.")
    if any(_ASKS_TO_MEET.search(str(p.get("body") or "")) for p in lead):
        parts.append("The lead talked about a call or meeting.")
    earlier = [_first_sentence(str(p.get("body") or "")) for p in pieces if p.get("speaker") == "digest"]
    if earlier:
        parts.append("Earlier: " + " ".join(earlier)[:600])
    nested = [q for p in pieces for q in p.get("quotes") or []]
    return {"digest": " ".join(parts), "quotes": (_quotes(lead, 3) or nested)[:3]}


class _Reading:
    """What the conversation shows, read once from the message facts."""

    def __init__(self, context: dict[str, Any]) -> None:
        self.messages: list[dict[str, Any]] = list(context.get("messages") or [])
        self.lead = [m for m in self.messages if _is_lead(m)]
        self.setter = [m for m in self.messages if not _is_lead(m)]
        self.objections = _objections(self.messages)
        self.replies = {kind: _next_setter_reply(self.messages, at) for kind, at in self.objections}
        self.unanswered = [kind for kind, reply in self.replies.items() if reply is None]
        self.concrete_time = any(_CONCRETE_TIME.search(str(m.get("body") or "")) for m in self.setter)
        self.silence = _longest_silence(self.messages)
        self.channels = sorted({str(m["channel"]) for m in self.messages if m.get("channel")})
        days = sorted({str(m["sent_at"]) for m in self.messages if m.get("sent_at")})
        self.first_day = days[0] if days else None
        self.booked = context.get("booked_at") or (days[-1] if days else None)
        names = (context.get("first_name"), context.get("last_name"))
        self.name = " ".join(str(p) for p in names if p) or "The lead"
        self.company = f" from {context['company']}" if context.get("company") else ""


def _summary(r: _Reading) -> str:
    booked = f" on {r.booked}" if r.booked else ""
    parts = [
        f"{r.name}{r.company} booked a meeting{booked} after {len(r.messages)} messages"
        f" ({len(r.lead)} from the lead) on {', '.join(r.channels) or 'no channel'}."
    ]
    if not r.objections:
        parts.append("The lead raised no objections.")
    elif r.unanswered:
        parts.append(
            f"The lead raised {', '.join(r.replies)} concerns; {', '.join(r.unanswered)} went unanswered."
        )
    else:
        parts.append(f"The lead raised {', '.join(r.replies)} concerns, and the setter answered each.")
    return " ".join(parts)


def _events(r: _Reading) -> list[str]:
    events = (
        [f"{r.first_day}: the conversation starts on {r.messages[0].get('channel')}"] if r.messages else []
    )
    events += [
        f"{r.messages[at].get('sent_at')}: the lead raises a {kind} concern" for kind, at in r.objections
    ]
    asked = next((m for m in r.lead if _ASKS_TO_MEET.search(str(m.get("body") or ""))), None)
    if asked is not None:
        events.append(f"{asked.get('sent_at')}: the lead talks about a call or meeting")
    if r.booked:
        events.append(f"{r.booked}: the meeting is booked")
    return events[:8]


def _lessons(r: _Reading) -> tuple[list[str], list[str], list[str]]:
    """(what worked, what failed, recommended tests)."""
    worked = [f"Answered the lead's {kind} concern" for kind, reply in r.replies.items() if reply]
    if r.concrete_time:
        worked.append("Offered a concrete day or time, which made saying yes easy")
    if any(_ASKS_TO_MEET.search(str(m.get("body") or "")) for m in r.setter):
        worked.append("Kept one clear next step: a short call")
    failed = [f"Left the lead's {kind} concern unanswered" for kind in r.unanswered]
    tests = [f"Address {kind} concerns in the first reply, before asking for a time" for kind in r.replies]
    if r.silence >= _LONG_SILENCE:
        failed.append(f"Sent {r.silence} messages in a row without a reply before the lead answered")
        tests.append("Space follow-ups further apart and add something new in each")
    if not r.concrete_time:
        tests.append("Offer two specific times instead of an open question")
    worked = worked or ["Kept the conversation going until the lead agreed to meet"]
    return worked, failed, tests[:3] or ["Keep offering a concrete time early in the conversation"]


def _follow_up(r: _Reading) -> dict[str, Any]:
    responses = [
        {
            "objection_type": kind,
            "agent_response": _first_sentence(str(reply.get("body") or "")) if reply else "No direct answer.",
            "outcome": "The lead kept talking and went on to book the meeting."
            if reply
            else "The lead booked the meeting anyway.",
        }
        for kind, reply in r.replies.items()
    ]
    answered = len(r.replies) - len(r.unanswered)
    score = 70 + 10 * r.concrete_time + 15 * answered - 20 * len(r.unanswered)
    score -= 5 * max(0, r.silence - _LONG_SILENCE + 1)
    return {
        "objection_responses": responses
        or [
            {
                "objection_type": "none",
                "agent_response": "No objection to answer.",
                "outcome": "The lead booked without objecting.",
            }
        ],
        "follow_up_effectiveness": {
            "score": max(0, min(100, score)),
            "converted_after_objection": bool(r.objections),
            "notes": f"{len(r.objections)} objection(s), {answered} answered; at most {r.silence} setter "
            "message(s) in a row without a reply.",
        },
    }


def write_insight(context: dict[str, Any]) -> dict[str, Any]:
    reading = _Reading(context)
    worked, failed, tests = _lessons(reading)
    return {
        "summary": _summary(reading),
        "key_events": _events(reading),
        "what_worked": worked,
        "what_failed": failed,
        "key_phrases": _phrases(reading.messages),
        "evidence_quotes": _quotes(reading.lead, 5),
        "recommended_tests": tests,
        "follow_up": _follow_up(reading),
    }
