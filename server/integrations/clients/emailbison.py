"""EmailBison: a reply goes out as an answer to the lead's latest reply (API.md, "Sending")."""

from __future__ import annotations

from typing import Any

from server.integrations.clients.credentials import Credentials
from server.integrations.clients.transport import Sent, call

PROVIDER = "emailbison"


def _headers(credentials: Credentials) -> dict[str, str]:
    return {"Authorization": f"Bearer {credentials.secret}", "Accept": "application/json"}


async def check(credentials: Credentials) -> None:
    await call(PROVIDER, "GET", f"{credentials.base_url}/api/users", headers=_headers(credentials))


async def send_reply(
    credentials: Credentials,
    *,
    reply_id: str,
    sender_email_id: str,
    to: list[tuple[str | None, str]],
    text: str,
    subject: str | None,
    cc: list[str],
    bcc: list[str],
) -> Sent:
    body: dict[str, Any] = {
        "message": text,
        "sender_email_id": _id(sender_email_id),
        "to_emails": [{"name": name or "", "email_address": address} for name, address in to],
        "inject_previous_email_body": False,
        "content_type": "text",
    }
    if subject:
        body["subject"] = subject
    if cc:
        body["cc_emails"] = [{"name": "", "email_address": address} for address in cc]
    if bcc:
        body["bcc_emails"] = [{"name": "", "email_address": address} for address in bcc]
    url = f"{credentials.base_url}/api/replies/{reply_id}/reply"
    await call(PROVIDER, "POST", url, headers=_headers(credentials), json=body)
    return Sent(provider=PROVIDER)  # its answer holds no id to rely on (API.md)


def _id(value: str) -> int | str:
    return int(value) if value.isdigit() else value
