"""Normal forms of the identifiers a lead is matched on, so one person is one lead across channels."""

from __future__ import annotations

import re
from urllib.parse import unquote

_MIN_PHONE_DIGITS = 7
_NON_DIGITS = re.compile(r"[^0-9]")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*://", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")


def normalize_email(value: str | None) -> str | None:
    """Trimmed and lower-cased; None unless it has exactly one "@" with something on each side."""
    if not isinstance(value, str):
        return None
    email = value.strip().lower()
    local, at, domain = email.partition("@")
    if not at or not local or not domain or "@" in domain or _WHITESPACE.search(email):
        return None
    return email


def normalize_phone(value: str | None) -> str | None:
    """Digits only ("+1 (415) 555-0100" → "14155550100"); None when fewer than 7 digits remain."""
    if not isinstance(value, str):
        return None
    digits = _NON_DIGITS.sub("", value)
    return digits if len(digits) >= _MIN_PHONE_DIGITS else None


def normalize_linkedin_url(value: str | None) -> str | None:
    """Comparable form: "https://www.LinkedIn.com/in/ACoAA-dana/?trk=x" → "linkedin.com/in/acoaa-dana".

    LinkedIn paths are case-insensitive, so the whole URL is lower-cased. The path is percent-decoded
    because the same vanity name arrives both encoded and raw.
    """
    if not isinstance(value, str):
        return None
    url = _SCHEME.sub("", value.strip()).lstrip("/")
    url = url.split("#", 1)[0].split("?", 1)[0]
    url = unquote(url).lower().rstrip("/")
    if url.startswith("www."):
        url = url[len("www.") :]
    return url or None


def split_name(full: str | None) -> tuple[str | None, str | None]:
    """("Dana", "Lee") from "Dana Lee": the first word is the first name, the rest the last name."""
    if not isinstance(full, str):
        return None, None
    words = _WHITESPACE.sub(" ", full).strip().split(" ")
    first = words[0] or None
    last = " ".join(words[1:]) or None
    return first, last
