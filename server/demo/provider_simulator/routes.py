"""The three providers' send and check APIs, as API.md "Sending" documents them, below one base URL.

Each answers like the real one: its own auth (EmailBison and GoHighLevel a Bearer token, GoHighLevel also the
`Version` header, Unipile `X-API-KEY`), its own body (JSON, or Unipile's multipart form), its own error shape
(Laravel's, NestJS's, RFC 7807) and the ids our clients read from a success. A successful send hands its
follow-ups (echo, perhaps the lead's answer) to `FollowUps`.
"""

from __future__ import annotations

import hmac
import json
import uuid
from typing import Any, Final, cast

from litestar import Litestar, Request, Response, get, post
from litestar.datastructures import State
from litestar.exceptions import ClientException

from server.core.logging import get_logger
from server.demo.provider_simulator import demo_accounts
from server.demo.provider_simulator.followups import FollowUps, SentMessage
from server.demo.provider_simulator.webhook_bodies import (
    EmailSend,
    LinkedinSend,
    SmsSend,
    ghl_conversation_id,
    new_message_id,
    new_reply_id,
)

log = get_logger(__name__)

GHL_API_VERSION: Final = "2021-04-15"
AnyRequest = Request[Any, Any, Any]
JsonObject = dict[str, Any]


def _matches(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def _unauthorized(provider: str, body: JsonObject) -> Response[Any]:
    log.info("provider_simulator.unauthorized", provider=provider)
    return Response(body, status_code=401)


def _unipile_error(status: int, error_type: str, title: str, detail: str) -> Response[Any]:
    return Response(
        {"status": status, "type": error_type, "title": title, "detail": detail}, status_code=status
    )


async def _json_object(request: AnyRequest) -> JsonObject:
    """The body as a JSON object; {} when it is none (the field checks then say what is missing)."""
    try:
        parsed = json.loads(await request.body())
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _sent(request: AnyRequest, provider: str, sent: SentMessage) -> None:
    followups = cast(FollowUps, request.app.state.followups)
    answer = followups.after_send(sent)
    log.info(
        "provider_simulator.sent",
        provider=provider,
        echo_in_s=followups.timing.echo_delay_s,
        lead_answers_in_s=round(answer.delay_s, 1) if answer else None,
    )


# EmailBison: Bearer token; Laravel errors {message, errors}.


def _emailbison_refusal(request: AnyRequest) -> Response[Any] | None:
    if _matches(request.headers.get("authorization"), f"Bearer {demo_accounts.EMAILBISON_API_KEY}"):
        return None
    return _unauthorized("emailbison", {"message": "Unauthenticated."})


def _emailbison_errors(body: JsonObject) -> dict[str, list[str]]:
    sender_id = body.get("sender_email_id")
    recipients = body.get("to_emails")
    valid = {
        "message": _text(body.get("message")) is not None,
        "sender_email_id": (isinstance(sender_id, int) and not isinstance(sender_id, bool))
        or (isinstance(sender_id, str) and sender_id.isdigit()),
        "to_emails": isinstance(recipients, list)
        and bool(recipients)
        and all(isinstance(item, dict) and "@" in str(item.get("email_address", "")) for item in recipients),
    }
    return {
        name: [f"The {name.replace('_', ' ')} field is required."] for name, ok in valid.items() if not ok
    }


@post("/api/replies/{reply_id:str}/reply")
async def emailbison_reply(request: AnyRequest, reply_id: str) -> Response[Any]:
    refusal = _emailbison_refusal(request)
    if refusal is not None:
        return refusal
    body = await _json_object(request)
    errors = _emailbison_errors(body)
    if errors:
        return Response({"message": next(iter(errors.values()))[0], "errors": errors}, status_code=422)
    recipient = body["to_emails"][0]
    sent = EmailSend(
        sent_reply_id=new_reply_id(),
        parent_reply_id=reply_id,
        sender_email_id=body["sender_email_id"],
        lead_address=recipient["email_address"],
        lead_name=_text(recipient.get("name")),
        subject=_text(body.get("subject")),
        text=body["message"],
    )
    _sent(request, "emailbison", sent)
    reply = {
        "id": sent.sent_reply_id,
        "uuid": str(uuid.uuid4()),
        "parent_id": int(reply_id) if reply_id.isdigit() else reply_id,
        "email_subject": sent.subject,
        "type": "Outgoing Email",
        "folder": "Sent",
        "to": [{"address": item["email_address"], "name": item.get("name")} for item in body["to_emails"]],
    }
    return Response({"data": {"success": True, "message": "Reply sent", "reply": reply}}, status_code=200)


@get("/api/users")
async def emailbison_user(request: AnyRequest) -> Response[Any]:
    refusal = _emailbison_refusal(request)
    if refusal is not None:
        return refusal
    user = {"id": 1, "name": demo_accounts.SENDER_NAME, "email": demo_accounts.SENDER_EMAIL_ADDRESS}
    return Response({"data": user}, status_code=200)


# GoHighLevel: Bearer token and the Version header; NestJS errors {statusCode, message}.


def _ghl_refusal(request: AnyRequest) -> Response[Any] | None:
    if not _matches(request.headers.get("authorization"), f"Bearer {demo_accounts.GOHIGHLEVEL_TOKEN}"):
        return _unauthorized("gohighlevel", {"statusCode": 401, "message": "Invalid JWT"})
    if request.headers.get("version") != GHL_API_VERSION:
        return Response({"statusCode": 400, "message": "Version header is required"}, status_code=400)
    return None


@post("/conversations/messages")
async def ghl_send(request: AnyRequest) -> Response[Any]:
    refusal = _ghl_refusal(request)
    if refusal is not None:
        return refusal
    body = await _json_object(request)
    problems = [
        f"{name} should not be empty"
        for name in ("type", "contactId", "message")
        if not _text(body.get(name))
    ]
    if not problems and body["type"] != "SMS":
        problems = ["type must be SMS (the only type the simulator sends)"]
    if problems:
        return Response(
            {"statusCode": 422, "message": problems, "error": "Unprocessable Entity"}, status_code=422
        )
    sent = SmsSend(contact_id=body["contactId"], message_id=new_message_id(), text=body["message"])
    _sent(request, "gohighlevel", sent)
    answer = {
        "conversationId": ghl_conversation_id(sent.contact_id),
        "messageId": sent.message_id,
        "msg": "Message queued successfully.",
    }
    return Response(answer, status_code=201)


@get("/locations/{location_id:str}")
async def ghl_location(request: AnyRequest, location_id: str) -> Response[Any]:
    refusal = _ghl_refusal(request)
    if refusal is not None:
        return refusal
    return Response({"location": {"id": location_id, "name": "Northwind Demo (simulated)"}}, status_code=200)


# Unipile: X-API-KEY; multipart form fields; RFC 7807 errors.


def _unipile_refusal(request: AnyRequest) -> Response[Any] | None:
    if _matches(request.headers.get("x-api-key"), demo_accounts.UNIPILE_API_KEY):
        return None
    problem = {
        "status": 401,
        "type": "errors/invalid_credentials",
        "title": "Invalid credentials",
        "detail": "The API key is missing or invalid.",
    }
    return _unauthorized("unipile", problem)


async def _form(request: AnyRequest, required: tuple[str, ...]) -> dict[str, str] | Response[Any]:
    """The multipart fields (a repeated field's values joined by commas), or Unipile's 400."""
    if request.content_type[0] != "multipart/form-data":
        return _unipile_error(
            400, "errors/bad_request", "Bad request", "The body must be multipart/form-data."
        )
    try:
        form = await request.form()
    except ClientException:
        return _unipile_error(400, "errors/bad_request", "Bad request", "The multipart body cannot be read.")
    fields = {
        name: ",".join(value for value in form.getall(name) if isinstance(value, str))
        for name in set(form.keys())
    }
    missing = [name for name in required if not fields.get(name, "").strip()]
    if missing:
        detail = f"Missing required field(s): {', '.join(missing)}."
        return _unipile_error(400, "errors/invalid_parameters", "Invalid parameters", detail)
    return fields


@post("/api/v1/chats/{chat_id:str}/messages")
async def unipile_send(request: AnyRequest, chat_id: str) -> Response[Any]:
    refusal = _unipile_refusal(request)
    if refusal is not None:
        return refusal
    fields = await _form(request, ("text",))
    if isinstance(fields, Response):
        return fields
    sent = LinkedinSend(
        account_id=demo_accounts.UNIPILE_ACCOUNT_ID,
        chat_id=chat_id,
        message_id=new_message_id(),
        attendee_provider_id=demo_accounts.attendee_for_chat(chat_id),
        text=fields["text"],
    )
    _sent(request, "unipile", sent)
    return Response({"object": "MessageSent", "message_id": sent.message_id}, status_code=201)


@post("/api/v1/chats")
async def unipile_start_chat(request: AnyRequest) -> Response[Any]:
    refusal = _unipile_refusal(request)
    if refusal is not None:
        return refusal
    fields = await _form(request, ("account_id", "attendees_ids", "text"))
    if isinstance(fields, Response):
        return fields
    attendee = next((part.strip() for part in fields["attendees_ids"].split(",") if part.strip()), None)
    if attendee is None:
        detail = "Missing required field(s): attendees_ids."
        return _unipile_error(400, "errors/invalid_parameters", "Invalid parameters", detail)
    # Named after the attendee (demo_accounts), so later sends into it still find the lead after a restart.
    sent = LinkedinSend(
        account_id=fields["account_id"],
        chat_id=demo_accounts.chat_id_for(attendee),
        message_id=new_message_id(),
        attendee_provider_id=attendee,
        text=fields["text"],
    )
    _sent(request, "unipile", sent)
    answer = {"object": "ChatStarted", "chat_id": sent.chat_id, "message_id": sent.message_id}
    return Response(answer, status_code=201)


@get("/api/v1/accounts/{account_id:str}")
async def unipile_account(request: AnyRequest, account_id: str) -> Response[Any]:
    refusal = _unipile_refusal(request)
    if refusal is not None:
        return refusal
    account = {"object": "Account", "id": account_id, "name": "Alex (simulated)", "type": "LINKEDIN"}
    return Response(account, status_code=200)


def create_app(followups: FollowUps) -> Litestar:
    return Litestar(
        route_handlers=[
            emailbison_reply,
            emailbison_user,
            ghl_send,
            ghl_location,
            unipile_send,
            unipile_start_chat,
            unipile_account,
        ],
        state=State({"followups": followups}),
        on_shutdown=[followups.close],
        logging_config=None,
        openapi_config=None,
    )
