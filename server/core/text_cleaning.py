"""Make provider text safe for PostgreSQL and JSON, and email HTML safe to render.

PostgreSQL rejects NUL (\\u0000) in text and lone UTF-16 surrogates cannot be encoded as UTF-8, so
every provider string passes through `clean_text` before it reaches the database.
"""

from __future__ import annotations

import json
import re
from typing import Any

import nh3

_SURROGATES = re.compile("[\ud800-\udfff]")
_ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def clean_text(value: str) -> str:
    """Strip NUL bytes and replace lone surrogates with U+FFFD."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    if _SURROGATES.search(value):
        value = _SURROGATES.sub("\ufffd", value)
    return value


def clean_optional(value: object) -> str | None:
    """A provider value as clean text, or None for the many ways providers say "no value"."""
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = clean_text(str(value)).strip()
    if text == "" or text.lower() in {"null", "none", "undefined"}:
        return None
    return text


class BodyNotJson(ValueError):
    """The bytes are not a JSON document (or one too deeply nested to be a real payload)."""


MAX_DEPTH = 64


def clean_tree(value: Any, depth: int = 0) -> Any:
    """Clean every string (keys included) inside a decoded JSON value."""
    if depth > MAX_DEPTH:
        raise BodyNotJson(f"JSON nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_tree(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_tree(v, depth + 1) for v in value]
    return value


def decode_json_body(raw: bytes) -> Any:
    """Decode bytes as JSON whatever they contain: invalid UTF-8 is replaced, strings are cleaned."""
    text = raw.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise BodyNotJson(str(exc)[:200]) from None
    return clean_tree(value)


def sanitize_html(html: str | None) -> str | None:
    """Email HTML that is safe to render: no scripts, handlers, styles or remote images."""
    if not html:
        return None
    cleaned = nh3.clean(
        clean_text(html),
        url_schemes=_ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        # Remote images are trackers; drop them entirely.
        attribute_filter=_drop_remote_images,
    )
    return cleaned


def _drop_remote_images(tag: str, attr: str, value: str) -> str | None:
    if tag == "img" and attr == "src":
        return None
    return value


_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def html_to_text(html: str) -> str:
    """A plain-text rendering of email HTML, for bodies that come only as HTML."""
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>", "\n", html)
    text = _TAGS.sub("", text)
    text = (
        text.replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&#39;", "'")
    )
    text = _SPACE.sub(" ", text)
    return _BLANK_LINES.sub("\n\n", "\n".join(line.strip() for line in text.splitlines())).strip()


# Where a reply stops being the sender's own words and starts quoting earlier mail (our own footer often
# says "unsubscribe", which must not blacklist the lead who replied above it).
_QUOTE_START = re.compile(
    r"^(>|on .{0,200}wrote:|-{2,} ?original message ?-{2,}|from: .+|sent from my )", re.I | re.M
)


def own_words(text: str) -> str:
    """The reply without the quoted thread below it."""
    match = _QUOTE_START.search(text)
    return text[: match.start()] if match else text
