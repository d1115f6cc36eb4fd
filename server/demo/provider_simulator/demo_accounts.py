"""The demo workspace's provider accounts, shared by the seed (which connects them) and the simulator (which
accepts them), and the naming conventions that let the simulator tell which lead a send is for.

The providers' send APIs name a thread, not a person: GoHighLevel a `contactId`, Unipile a `chat_id`. Their
echoes must name the person again (the lead's phone, the lead's LinkedIn attendee id), so the demo data uses
ids the simulator can read back, the same ones `server/demo/simulate.py` posts:

- a GoHighLevel contact is `demo-<last 4 digits of the lead's phone>`, the phone `+1415555<those digits>`
  (every demo phone is a 415-555 number);
- a Unipile chat is `chat-<the lead's attendee provider id>`, also for the chats the simulator starts.

An id outside these conventions still gets its send answered; only its echo lacks what it cannot know.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit

# Public on purpose: these keys open nothing but the local simulator.
EMAILBISON_API_KEY: Final = "demo-emailbison-key"
GOHIGHLEVEL_TOKEN: Final = "demo-gohighlevel-token"  # noqa: S105
UNIPILE_API_KEY: Final = "demo-unipile-key"
API_KEYS: Final[dict[str, str]] = {
    "emailbison": EMAILBISON_API_KEY,
    "gohighlevel": GOHIGHLEVEL_TOKEN,
    "unipile": UNIPILE_API_KEY,
}

# The accounts behind those keys: the rep's mailbox, the GoHighLevel location and number, LinkedIn's account.
SENDER_EMAIL_ID: Final = 1
SENDER_EMAIL_ADDRESS: Final = "alex@setterdesk.demo"
SENDER_NAME: Final = "Alex"
GHL_LOCATION_ID: Final = "demo-location"
GHL_OUR_NUMBER: Final = "+14155550199"
UNIPILE_ACCOUNT_ID: Final = "demo-account"
UNIPILE_OWN_PROVIDER_ID: Final = "ACoAA-demo-own"

_CONTACT_PREFIX: Final = "demo-"
_PHONE_PREFIX: Final = "+1415555"
_CHAT_PREFIX: Final = "chat-"
_LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "localhost", "::1"})


def ghl_contact_id_for(phone: str) -> str:
    digits = "".join(char for char in phone if char.isdigit())
    return f"{_CONTACT_PREFIX}{digits[-4:]}"


def phone_for_contact(contact_id: str) -> str | None:
    """The lead's phone behind a demo contact id; None for a contact outside the convention."""
    suffix = contact_id.removeprefix(_CONTACT_PREFIX)
    if suffix == contact_id or len(suffix) != 4 or not suffix.isdigit():
        return None
    return f"{_PHONE_PREFIX}{suffix}"


def chat_id_for(attendee_provider_id: str) -> str:
    return f"{_CHAT_PREFIX}{attendee_provider_id}"


def attendee_for_chat(chat_id: str) -> str | None:
    """The lead's attendee provider id behind a demo chat id; None for a chat outside the convention."""
    attendee = chat_id.removeprefix(_CHAT_PREFIX)
    return attendee if attendee != chat_id and attendee else None


def integration_fields(provider: str, base_url: str) -> dict[str, str]:
    """The `PUT /api/integrations/{provider}` body that connects the demo account at `base_url`."""
    if provider == "emailbison":
        return {"base_url": base_url, "api_key": EMAILBISON_API_KEY}
    if provider == "gohighlevel":
        return {
            "base_url": base_url,
            "location_id": GHL_LOCATION_ID,
            "private_integration_token": GOHIGHLEVEL_TOKEN,
        }
    if provider == "unipile":
        return {"base_url": base_url, "api_key": UNIPILE_API_KEY, "account_id": UNIPILE_ACCOUNT_ID}
    raise ValueError(f"unknown provider {provider!r}")


def is_loopback_url(url: str | None) -> bool:
    return bool(url) and (urlsplit(url).hostname or "") in _LOOPBACK_HOSTS
