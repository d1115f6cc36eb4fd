"""Echoes (API.md, "Sending"): the provider's report of a message we sent confirms it and never adds a second
message — by the provider's id, else by the same text within 10 minutes; also for an `unknown` one."""

from __future__ import annotations

from typing import Any

from tests.conftest import RunningWorker, Workspace
from tests.fakes.fake_providers import FakeProviders, ProviderAnswer
from tests.fakes.provider_echoes import emailbison_sent_echo, ghl_outbound_echo, unipile_sender_echo
from tests.helpers import deliver
from tests.integrations.helpers import ACCOUNT_ID, LOCATION_ID, connect
from tests.sending.helpers import email_lead, linkedin_lead, settled, sms_lead, write


async def thread(ws: Workspace, lead_id: str) -> list[dict[str, Any]]:
    answer = await ws.client.get(f"/api/leads/{lead_id}", headers=ws.auth)
    messages: list[dict[str, Any]] = answer.json()["data"]["messages"]
    return messages


async def test_a_gohighlevel_echo_with_our_message_id_is_the_same_message(
    workspace: Workspace, worker: RunningWorker, fake_providers: FakeProviders
) -> None:
    await connect(workspace, "gohighlevel", fake_providers)
    lead_id, contact_id = await sms_lead(workspace)
    queued = await write(workspace, lead_id, "sms", "See you Thursday")
    sent = await settled(workspace, lead_id, queued["id"])
    message_id = sent["delivery"]["provider_message_id"].removeprefix("ghl:")
    echo = ghl_outbound_echo(LOCATION_ID, contact_id, message_id, "See you Thursday")
    for _ in range(2):  # and its redelivery
        outcome = await deliver(workspace, "sms", echo)
        assert (outcome["status"], outcome["message_id"]) == ("duplicate", queued["id"])
    assert [m["id"] for m in await thread(workspace, lead_id) if m["direction"] == "outbound"] == [
        queued["id"]
    ]


async def test_an_echo_settles_an_unknown_send(
    workspace: Workspace, worker: RunningWorker, fake_providers: FakeProviders
) -> None:
    await connect(workspace, "unipile", fake_providers)
    lead_id, chat_id = await linkedin_lead(workspace)
    fake_providers.script(ProviderAnswer.drop_after_body())
    queued = await write(workspace, lead_id, "linkedin", "Great talking to you!\n\nSpeak soon")
    unknown = await settled(workspace, lead_id, queued["id"])
    assert unknown["delivery"]["status"] == "unknown"
    lead = (await workspace.client.get(f"/api/leads/{lead_id}", headers=workspace.auth)).json()["data"][
        "lead"
    ]
    attendee = lead["linkedin_url"].rstrip("/").rsplit("/", 1)[-1]
    # No id to match (we never got the answer): the same text, spaced differently, within 10 minutes.
    echo = unipile_sender_echo(ACCOUNT_ID, chat_id, "m-echo-1", "Great talking to you!  Speak soon", attendee)
    outcome = await deliver(workspace, "linkedin", echo)
    assert (outcome["status"], outcome["message_id"]) == ("duplicate", queued["id"])
    confirmed = await settled(workspace, lead_id, queued["id"], statuses=frozenset({"sent"}))
    assert confirmed["delivery"]["provider_message_id"] == "unipile:m-echo-1"
    assert len(fake_providers.sends()) == 1
    assert len([m for m in await thread(workspace, lead_id) if m["direction"] == "outbound"]) == 1


async def test_an_emailbison_manual_sent_echo_is_the_same_message(
    workspace: Workspace, worker: RunningWorker, fake_providers: FakeProviders
) -> None:
    await connect(workspace, "emailbison", fake_providers)
    lead_id, body = await email_lead(workspace)
    queued = await write(workspace, lead_id, "email", "Here are the details you asked for.")
    await settled(workspace, lead_id, queued["id"], statuses=frozenset({"sent"}))
    reply = body["data"]["reply"]
    echo = emailbison_sent_echo(
        reply["id"],
        body["data"]["sender_email"]["email"],
        reply["from_email_address"],
        "Re: testing dashboard",
        "Here are the details you asked for.",
        lead_id=body["data"]["lead"]["id"],
    )
    outcome = await deliver(workspace, "email", echo)
    assert (outcome["status"], outcome["message_id"]) == ("duplicate", queued["id"])
    assert len([m for m in await thread(workspace, lead_id) if m["direction"] == "outbound"]) == 1


async def test_a_message_a_setter_sent_from_the_providers_own_inbox_is_stored(
    workspace: Workspace, worker: RunningWorker
) -> None:
    lead_id, contact_id = await sms_lead(workspace)
    echo = ghl_outbound_echo(LOCATION_ID, contact_id, "typed-in-ghl-1", "Sent from the GoHighLevel app")
    outcome = await deliver(workspace, "sms", echo)
    assert outcome["status"] == "processed"
    [outbound] = [m for m in await thread(workspace, lead_id) if m["direction"] == "outbound"]
    assert (outbound["body"], outbound["sent_by"], outbound["delivery"]) == (
        "Sent from the GoHighLevel app",
        "provider",
        None,
    )
