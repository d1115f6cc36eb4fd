"""GoHighLevel (LeadConnector): SMS to a contact, at most 100 requests per 10 s per location (API.md)."""

from __future__ import annotations

from server.integrations.clients.credentials import Credentials
from server.integrations.clients.transport import Sent, call

PROVIDER = "gohighlevel"
API_VERSION = "2021-04-15"
DEFAULT_BASE_URL = "https://services.leadconnectorhq.com"


def _headers(credentials: Credentials) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {credentials.secret}",
        "Version": API_VERSION,
        "Accept": "application/json",
    }


async def check(credentials: Credentials) -> None:
    location_id = credentials.settings.get("location_id", "")
    await call(
        PROVIDER, "GET", f"{credentials.base_url}/locations/{location_id}", headers=_headers(credentials)
    )


async def send_sms(credentials: Credentials, *, contact_id: str, text: str) -> Sent:
    body = {"type": "SMS", "contactId": contact_id, "message": text}
    url = f"{credentials.base_url}/conversations/messages"
    answer = await call(PROVIDER, "POST", url, headers=_headers(credentials), json=body)
    message_id = answer.get("messageId") if isinstance(answer, dict) else None
    conversation_id = answer.get("conversationId") if isinstance(answer, dict) else None
    return Sent(
        provider=PROVIDER,
        # The form the OutboundMessage echo is parsed to, so the echo lands on this message.
        provider_message_id=f"ghl:{message_id}" if message_id else None,
        thread={"conversation_id": str(conversation_id)} if conversation_id else {},
    )
