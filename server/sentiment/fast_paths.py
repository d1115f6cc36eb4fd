"""The cheap fast paths of classification: bounces, opt-outs, plain refusals and out-of-office replies.

They run before any model call (and inside the offline model), on the lead's latest message.
"""

from __future__ import annotations

import re

from server.core.text_cleaning import own_words
from server.sentiment.rules import is_bounce_sender

_BOUNCE_TEXT = re.compile(
    r"delivery status notification|undeliverable|mail delivery (failed|failure|subsystem)"
    r"|delivery has failed|address not found",
    re.I,
)
_OPT_OUT = re.compile(
    r"\bunsubscribe\b|\bremove me\b|\bstop (emailing|e-mailing|contacting|messaging|texting|calling)\b"
    r"|\bdo not (contact|email|e-mail|message|text) me\b|\bdon'?t (contact|email|message|text) me\b",
    re.I,
)
# Carrier keywords: a whole SMS that is just one of them is an opt-out.
_SMS_STOP = re.compile(r"^\s*(stop|stopall|unsubscribe|end|quit)\s*[.!]*\s*$", re.I)
_NOT_INTERESTED = re.compile(
    r"\bnot interested\b|\bno,? thanks\b(?! for)|\bno,? thank you\b(?! for)|\bnot (a|the right|a good) fit\b",
    re.I,
)
_OUT_OF_OFFICE = re.compile(
    r"\bout of (the )?office\b|\bon vacation\b|\bon holiday\b|\baway until\b|(?-i:\bOOO\b)"
    r"|\bautomatic reply\b|\bauto-?reply\b.*\b(away|absent|out)\b",
    re.I,
)


def fast_path_tag(
    *,
    channel: str,
    subject: str | None,
    body: str,
    is_bounce: bool = False,
    sender_email: str | None = None,
) -> tuple[str, str] | None:
    """(tag, reason) when a fast path decides the message, else None."""
    full_text = f"{subject or ''}\n{body}"
    if is_bounce or is_bounce_sender(sender_email) or _BOUNCE_TEXT.search(full_text):
        return "Blacklist", "Bounce: the address does not receive mail."
    text = f"{subject or ''}\n{own_words(body)}"
    if _OPT_OUT.search(text) or (channel == "sms" and _SMS_STOP.match(body)):
        return "Blacklist", "The lead asked to stop all contact."
    if _NOT_INTERESTED.search(text):
        return "Not Interested", "The lead declined."
    if _OUT_OF_OFFICE.search(text):
        return "Out of Office", "An out-of-office auto-reply."
    return None
