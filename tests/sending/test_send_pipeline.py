"""Sending (API.md, "Sending"): every reply reaches its provider exactly as the provider's API takes it, once,
and its delivery shows what happened — through the session's real worker and the fake providers over HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import text

from server.core.db.engine import read_session
from tests.conftest import RunningWorker, Workspace
from tests.fakes.fake_providers import FakeProviders, ProviderAnswer
from tests.integrations.helpers import ACCOUNT_ID, connect
from tests.sending.helpers import email_lead, linkedin_lead, message_of, settled, sms_lead, write


async def test_an_email_reply_goes_to_emailbison_as_an_answer_to_the_leads_reply(
    workspace: Workspace, worker: RunningWorker, fake_providers: FakeProviders
) -> None:
    await connect(workspace, "emailbison", fake_providers)
    lead_id, body = await email_lead(workspace)
    queued = await write(workspace, lead_id, "email", "Happy to walk you through it on Thursday.")
    assert queued["delivery"]["status"] == "queued" and queued["delivery"]["provider"] == "emailbison"
    assert queued["sent_by_user"]["name"] == workspace.owner["name"]
    sent = await settled(workspace, lead_id, queued["id"])
    assert sent["delivery"]["status"] == "sent", sent["delivery"]
    [request] = fake_providers.sends("emailbison")
    reply = body["data"]["reply"]
    assert request.path == f"/api/replies/{reply['id']}/reply"
    assert request.headers["authorization"] == "Bearer eb-key"
    assert request.json is not None
    assert request.json["message"] == "Happy to walk you through it on Thursday."
    assert request.json["sender_email_id"] == body["data"]["sender_email"]["id"]
    assert request.json["to_emails"] == [
        {"name": "Lead Person", "email_address": reply["from_email_address"]}
    ]
    assert request.json["inject_previous_email_body"] is False
    assert request.json["content_type"] == "text"


async def test_an_sms_goes_to_gohighlevel_with_its_version_header(
    workspace: Workspace, worker: RunningWorker, fake_providers: FakeProviders
) -> None:
    await connect(workspace, "gohighlevel", fake_providers)
    lead_id, contact_id = await sms_lead(workspace)
    queued = await write(workspace, lead_id, "sms", "Does 3pm work?")
    sent = await settled(workspace, lead_id, queued["id"])
    assert sent["delivery"]["status"] == "sent"
    assert sent["delivery"]["provider_message_id"].startswith("ghl:")
    [request] = fake_providers.sends("gohighlevel")
    assert (request.path, request.headers["version"]) == ("/conversations/messages", "2021-04-15")
    assert request.headers["authorization"] == "Bearer ghl-token"
    assert request.json == {"type": "SMS", "contactId": contact_id, "message": "Does 3pm work?"}


async def test_a_linkedin_message_goes_into_the_unipile_chat_as_multipart(
    workspace: Workspace, worker: RunningWorker, fake_providers: FakeProviders
) -> None:
    await connect(workspace, "unipile", fake_providers)
    lead_id, chat_id = await linkedin_lead(workspace)
    queued = await write(workspace, lead_id, "linkedin", "Thanks for connecting!")
    sent = await settled(workspace, lead_id, queued["id"])
    assert sent["delivery"]["status"] == "sent"
    assert sent["delivery"]["provider_message_id"].startswith("unipile:")
    [request] = fake_providers.sends("unipile")
    assert (request.path, request.content_type) == (
        f"/api/v1/chats/{chat_id}/messages",
        "multipart/form-data",
    )
    assert request.headers["x-api-key"] == "unipile-key"
    assert request.form == {"text": "Thanks for connecting!"}
    assert ACCOUNT_ID  # the chat already belongs to the account: no account_id on a chat message


async def test_no_connected_provider_is_not_sent_and_nothing_is_called(
    workspace: Workspace, worker: RunningWorker, fake_providers: FakeProviders
) -> None:
    lead_id, _ = await email_lead(workspace)
    queued = await write(workspace, lead_id, "email")
    message = await settled(workspace, lead_id, queued["id"])
    assert message["delivery"]["status"] == "not_sent"
    assert message["delivery"]["error"]["code"] == "integration_not_connected"
    assert fake_providers.sends() == []


async def test_a_4xx_fails_with_the_providers_reason_and_send_again_sends_it(
    workspace: Workspace, worker: RunningWorker, fake_providers: FakeProviders
) -> None:
    await connect(workspace, "gohighlevel", fake_providers)
    lead_id, _ = await sms_lead(workspace)
    fake_providers.script(ProviderAnswer.error(422, detail="The contact has opted out of SMS"))
    queued = await write(workspace, lead_id, "sms")
    failed = await settled(workspace, lead_id, queued["id"])
    assert failed["delivery"]["status"] == "failed"
    assert failed["delivery"]["error"]["code"] == "provider_rejected"
    assert "opted out" in failed["delivery"]["error"]["message"]
    assert len(fake_providers.sends()) == 1  # no automatic retry of a refusal
    again = await workspace.client.post(f"/api/messages/{queued['id']}/send", headers=workspace.auth)
    assert again.status_code == 202, again.text
    sent = await settled(workspace, lead_id, queued["id"], statuses=frozenset({"sent"}))
    assert sent["delivery"]["error"] is None
    assert len(fake_providers.sends()) == 2


async def test_429_is_retried_no_sooner_than_retry_after(
    workspace: Workspace, worker: RunningWorker, fake_providers: FakeProviders
) -> None:
    await connect(workspace, "unipile", fake_providers)
    lead_id, _ = await linkedin_lead(workspace)
    fake_providers.script(ProviderAnswer.error(429, retry_after_s=1))
    queued = await write(workspace, lead_id, "linkedin")
    sent = await settled(workspace, lead_id, queued["id"], statuses=frozenset({"sent"}))
    first, second = fake_providers.sends()
    assert second.at - first.at >= 1.0
    assert sent["delivery"]["attempts"] == 2


async def test_two_5xx_then_sent(
    workspace: Workspace, worker: RunningWorker, fake_providers: FakeProviders
) -> None:
    await connect(workspace, "emailbison", fake_providers)
    lead_id, _ = await email_lead(workspace)
    fake_providers.script(ProviderAnswer.error(502), ProviderAnswer.error(503))
    queued = await write(workspace, lead_id, "email")
    sent = await settled(workspace, lead_id, queued["id"], statuses=frozenset({"sent"}))
    assert (sent["delivery"]["attempts"], len(fake_providers.sends())) == (3, 3)


async def test_5xx_every_time_fails_after_the_attempts_and_is_never_sent_twice_on_its_own(
    workspace: Workspace, worker: RunningWorker, fake_providers: FakeProviders
) -> None:
    await connect(workspace, "emailbison", fake_providers)
    lead_id, _ = await email_lead(workspace)
    fake_providers.script(*[ProviderAnswer.error(500) for _ in range(10)])
    queued = await write(workspace, lead_id, "email")
    failed = await settled(workspace, lead_id, queued["id"], timeout_s=30)
    assert failed["delivery"]["status"] == "failed"
    assert failed["delivery"]["attempts"] >= 3
    assert len(fake_providers.sends()) == failed["delivery"]["attempts"]


async def test_a_connection_closed_after_the_body_is_unknown_and_never_sent_again_by_itself(
    workspace: Workspace, worker: RunningWorker, fake_providers: FakeProviders
) -> None:
    await connect(workspace, "gohighlevel", fake_providers)
    lead_id, _ = await sms_lead(workspace)
    fake_providers.script(ProviderAnswer.drop_after_body())
    queued = await write(workspace, lead_id, "sms")
    unknown = await settled(workspace, lead_id, queued["id"])
    assert unknown["delivery"]["status"] == "unknown"
    assert unknown["delivery"]["error"]["code"] == "connection_lost"
    await asyncio.sleep(0.5)
    assert len(fake_providers.sends()) == 1
    refused = await workspace.client.post(f"/api/messages/{queued['id']}/send", headers=workspace.auth)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "not_retryable")
    confirmed = await workspace.client.post(
        f"/api/messages/{queued['id']}/send", json={"confirm_unknown": True}, headers=workspace.auth
    )
    assert confirmed.status_code == 202
    await settled(workspace, lead_id, queued["id"], statuses=frozenset({"sent"}))
    assert len(fake_providers.sends()) == 2


async def test_a_wrong_key_fails_the_send_and_puts_the_integration_in_error(
    workspace: Workspace, worker: RunningWorker, fake_providers: FakeProviders
) -> None:
    await connect(workspace, "emailbison", fake_providers, api_key="revoked-key")
    lead_id, _ = await email_lead(workspace)
    queued = await write(workspace, lead_id, "email")
    failed = await settled(workspace, lead_id, queued["id"])
    assert (failed["delivery"]["status"], failed["delivery"]["error"]["code"]) == (
        "failed",
        "provider_unauthorized",
    )
    listed = await workspace.client.get("/api/integrations", headers=workspace.auth)
    [emailbison] = [item for item in listed.json()["data"] if item["provider"] == "emailbison"]
    assert emailbison["status"] == "error"


async def test_ten_concurrent_approvals_of_one_draft_send_once(
    workspace: Workspace, worker: RunningWorker, fake_providers: FakeProviders
) -> None:
    await connect(workspace, "emailbison", fake_providers)
    lead_id, _ = await email_lead(workspace, "I'm interested, what does it cost?")
    await asyncio.to_thread(worker.drain)  # the draft is written
    drafts = await workspace.client.get(f"/api/leads/{lead_id}/drafts?status=pending", headers=workspace.auth)
    [draft] = [d for d in drafts.json()["data"] if d["channel"] == "email"]
    answers = await asyncio.gather(
        *[
            workspace.client.post(f"/api/drafts/{draft['id']}/approve", headers=workspace.auth)
            for _ in range(10)
        ]
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] + [409] * 9
    [approved] = [answer.json()["data"] for answer in answers if answer.status_code == 200]
    assert approved["draft"]["approved_by"]["name"] == workspace.owner["name"]
    assert approved["draft"]["disposition"] == "APPROVED"
    await settled(workspace, lead_id, approved["message"]["id"], statuses=frozenset({"sent"}))
    await asyncio.sleep(0.3)
    assert len(fake_providers.sends()) == 1


async def test_edits_saved_before_approving_still_count_as_edited(
    workspace: Workspace, worker: RunningWorker, fake_providers: FakeProviders
) -> None:
    lead_id, _ = await email_lead(workspace, "I'm interested, send me the details")
    await asyncio.to_thread(worker.drain)
    drafts = await workspace.client.get(f"/api/leads/{lead_id}/drafts?status=pending", headers=workspace.auth)
    [draft] = [d for d in drafts.json()["data"] if d["channel"] == "email"]
    ai_text = draft["ai_content"]
    saved = await workspace.client.patch(
        f"/api/drafts/{draft['id']}",
        json={"content": ai_text + "\n\nBest, Olive", "version": draft["version"]},
        headers=workspace.auth,
    )
    assert saved.status_code == 200, saved.text
    approved = await workspace.client.post(f"/api/drafts/{draft['id']}/approve", headers=workspace.auth)
    data: dict[str, Any] = approved.json()["data"]
    assert (data["draft"]["disposition"], data["draft"]["ai_content"]) == ("EDITED", ai_text)
    assert data["message"]["sent_by"] == "setter"


async def test_writing_on_a_channel_the_lead_never_used_is_400(workspace: Workspace) -> None:
    lead_id, _ = await email_lead(workspace)
    answer = await workspace.client.post(
        f"/api/leads/{lead_id}/messages", json={"channel": "sms", "content": "hi"}, headers=workspace.auth
    )
    assert answer.status_code == 400


async def test_every_delivery_change_is_an_event(
    workspace: Workspace, worker: RunningWorker, fake_providers: FakeProviders
) -> None:
    await connect(workspace, "gohighlevel", fake_providers)
    lead_id, _ = await sms_lead(workspace)
    queued = await write(workspace, lead_id, "sms")
    await settled(workspace, lead_id, queued["id"])
    async with read_session() as session:
        rows = (
            await session.execute(
                text(
                    "SELECT data FROM events WHERE lead_id = CAST(:lead AS uuid) AND type = 'message.updated'"
                    " ORDER BY id"
                ),
                {"lead": lead_id},
            )
        ).all()
    statuses = [row[0]["message"]["delivery"]["status"] for row in rows]  # the queued state came with it
    assert statuses == ["sending", "sent"]
    assert (await message_of(workspace, lead_id, queued["id"]))["delivery"]["status"] == "sent"
