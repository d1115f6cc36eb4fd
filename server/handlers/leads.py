"""Leads: list, read, create, edit, messages (read and write), sentiment."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.di import Provide

from server.accounts.service import Principal
from server.core.errors import InvalidInput
from server.core.pagination import clamp_limit
from server.core.text_cleaning import BodyNotJson, decode_json_body
from server.handlers.common import CleanInput, ok, parse_id, provide_principal
from server.leads import service as leads
from server.leads.activity import lead_activity
from server.leads.listing import LeadFilters, list_leads
from server.leads.reads import mark_read
from server.leads.sentiment import change_sentiment
from server.leads.service import LeadFields
from server.sending.outbound import write_reply


class SentimentIn(CleanInput):
    sentiment_tag: Any = None


async def lead_fields(request: Request[Any, Any, Any]) -> LeadFields:
    """Partial updates need to tell "absent" from null, so the body is converted here."""
    try:
        body = decode_json_body(await request.body())
    except BodyNotJson as exc:
        raise InvalidInput(f"body is not valid JSON ({exc})", code="invalid_json") from None
    if not isinstance(body, dict):
        raise InvalidInput("body must be a JSON object", code="invalid_input")
    try:
        return msgspec.convert(body, LeadFields, strict=False)
    except msgspec.ValidationError as exc:
        raise InvalidInput(str(exc), code="invalid_input") from None


class ReplyIn(CleanInput):
    channel: str
    content: str
    subject: str | None = None


class LeadsController(Controller):
    path = "/api/leads"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/")
    async def list_leads(
        self,
        principal: Principal,
        sentiment: str | None = None,
        q: str | None = None,
        assigned: str | None = None,
        channel: str | None = None,
        has_draft: bool | None = None,
        unread: bool | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Response[Any]:
        filters = LeadFilters(
            sentiment=sentiment, q=q, assigned=assigned, channel=channel, has_draft=has_draft, unread=unread
        )
        items, next_cursor = await list_leads(
            principal.workspace_id, principal.user_id, filters, limit=clamp_limit(limit), cursor=cursor
        )
        return ok({"items": items, "next_cursor": next_cursor})

    @post("/", status_code=201)
    async def create_lead(self, principal: Principal, request: Request[Any, Any, Any]) -> Response[Any]:
        return ok(await leads.create_lead(principal, await lead_fields(request)), 201)

    @get("/{lead_id:str}")
    async def get_lead(self, principal: Principal, lead_id: str) -> Response[Any]:
        lead = parse_id(lead_id, "lead")
        return ok(await leads.lead_detail(principal.workspace_id, lead, viewer_id=principal.user_id))

    @patch("/{lead_id:str}")
    async def update_lead(
        self, principal: Principal, lead_id: str, request: Request[Any, Any, Any]
    ) -> Response[Any]:
        lead = parse_id(lead_id, "lead")
        return ok(await leads.update_lead(principal, lead, await lead_fields(request)))

    @get("/{lead_id:str}/messages")
    async def messages(
        self,
        principal: Principal,
        lead_id: str,
        channel: str | None = None,
        before: str | None = None,
        limit: int | None = None,
    ) -> Response[Any]:
        page = await leads.message_page(
            principal.workspace_id,
            parse_id(lead_id, "lead"),
            channel=channel,
            before=parse_id(before, "message") if before else None,
            limit=clamp_limit(limit, default=50),
        )
        return ok(page)

    @get("/{lead_id:str}/activity")
    async def activity(
        self, principal: Principal, lead_id: str, limit: int | None = None, cursor: str | None = None
    ) -> Response[Any]:
        items, next_cursor = await lead_activity(
            principal.workspace_id, parse_id(lead_id, "lead"), limit=clamp_limit(limit), cursor=cursor
        )
        return ok({"items": items, "next_cursor": next_cursor})

    @post("/{lead_id:str}/read", status_code=200)
    async def mark_read(self, principal: Principal, lead_id: str) -> Response[Any]:
        """Everything up to now read, for this user only (server/leads/reads.py)."""
        return ok(await mark_read(principal, parse_id(lead_id, "lead")))

    @post("/{lead_id:str}/messages", status_code=201)
    async def write_message(self, principal: Principal, lead_id: str, data: ReplyIn) -> Response[Any]:
        """A setter's own reply, sent like an approved draft (server/sending/outbound.py)."""
        message = await write_reply(
            principal,
            parse_id(lead_id, "lead"),
            channel=data.channel,
            content=data.content,
            subject=data.subject,
        )
        return ok(message, 201)

    @patch("/{lead_id:str}/sentiment")
    async def set_sentiment(self, principal: Principal, lead_id: str, data: SentimentIn) -> Response[Any]:
        return ok(
            await change_sentiment(
                principal.workspace_id,
                parse_id(lead_id, "lead"),
                data.sentiment_tag,
                viewer_id=principal.user_id,
                actor=principal.actor,
            )
        )
