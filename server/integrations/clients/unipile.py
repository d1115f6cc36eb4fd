"""Unipile (LinkedIn): a message into the lead's chat, or a new chat with the lead (API.md, "Sending")."""

from __future__ import annotations

from server.integrations.clients.credentials import Credentials
from server.integrations.clients.transport import Sent, call

PROVIDER = "unipile"


def _headers(credentials: Credentials) -> dict[str, str]:
    return {"X-API-KEY": credentials.secret, "Accept": "application/json"}


async def check(credentials: Credentials) -> None:
    account_id = credentials.settings.get("account_id", "")
    url = f"{credentials.base_url}/api/v1/accounts/{account_id}"
    await call(PROVIDER, "GET", url, headers=_headers(credentials))


async def send_message(
    credentials: Credentials, *, chat_id: str | None, attendee_provider_id: str | None, text: str
) -> Sent:
    """Into `chat_id`; with no chat yet, start one with the attendee. Multipart form fields, as the API
    takes them."""
    if chat_id:
        url = f"{credentials.base_url}/api/v1/chats/{chat_id}/messages"
        answer = await call(
            PROVIDER, "POST", url, headers=_headers(credentials), files={"text": (None, text)}
        )
        return _sent(answer, chat_id)
    fields = {
        "account_id": (None, credentials.settings.get("account_id", "")),
        "attendees_ids": (None, attendee_provider_id or ""),
        "text": (None, text),
    }
    answer = await call(
        PROVIDER, "POST", f"{credentials.base_url}/api/v1/chats", headers=_headers(credentials), files=fields
    )
    return _sent(answer, None)


def _sent(answer: object, chat_id: str | None) -> Sent:
    body = answer if isinstance(answer, dict) else {}
    message_id = body.get("message_id")
    started = body.get("chat_id")
    thread = {"chat_id": str(started or chat_id)} if (started or chat_id) else {}
    return Sent(
        provider=PROVIDER,
        provider_message_id=f"unipile:{message_id}" if message_id else None,  # as its echo is parsed
        thread=thread,
    )
