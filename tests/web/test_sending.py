"""Sending from the browser: the Integrations settings page, a setter's own reply from the compose box, and
each outbound message's delivery followed live ("Not sent — connect EmailBison", "Failed — …" with "Send
again", "May have been sent" with a confirm step, "Sent ✓") in every teammate's browser.

The real web and worker processes send through tests/fakes/fake_providers.py (real HTTP on 127.0.0.1)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, Route, expect

from tests.fakes.fake_providers import FakeProviders, ProviderAnswer
from tests.web.conftest import OpenPage, Person, Tab, Team, screenshot, wait_for

pytestmark = pytest.mark.slow

EMAILBISON_KEY = "eb-key"  # what the fake accepts


def bubble(page: Page, message_id: str) -> Locator:
    return page.locator(f'[data-testid=message][data-message-id="{message_id}"]')


def delivery(page: Page, message_id: str) -> Locator:
    return bubble(page, message_id).get_by_test_id("delivery")


def send_reply(tab: Tab, channel: str, text: str) -> str:
    """Write and send an own reply in the compose box; returns the new message's id (from the page)."""
    page = tab.page
    box = page.get_by_test_id(f"compose-text-{channel}")
    expect(box).to_be_visible()
    before = loaded_message_ids(tab)
    box.fill(text)
    page.get_by_test_id(f"send-{channel}").click()
    expect(box).to_have_value("")  # cleared once the server recorded it
    return new_message_id(tab, before)


def loaded_message_ids(tab: Tab) -> set[str]:
    """The messages the open lead shows, once its thread is loaded and live."""
    wait_for(lambda: tab.snapshot()["lead"]["phase"] == "live", "the lead's thread loaded")
    return set(tab.snapshot()["lead"]["messageIds"])


def new_message_id(tab: Tab, before: set[str]) -> str:
    """The one message the thread shows now and did not show in `before`."""
    new = wait_for(lambda: set(tab.snapshot()["lead"]["messageIds"]) - before, "the new message")
    [message_id] = new
    return str(message_id)


def message_from_api(team: Team, lead_id: str, message_id: str) -> dict[str, Any]:
    messages = team.lead(lead_id)["messages"]
    return next(m for m in messages if m["id"] == message_id)


def test_owner_connects_checks_replaces_and_disconnects_a_provider_setters_never_see_it(
    team: Team, open_page: OpenPage, fake_providers: FakeProviders
) -> None:
    a = open_page(team.owner, "/inbox")
    page = a.page
    page.get_by_test_id("nav-settings").click()
    expect(page).to_have_url(re.compile("/settings/integrations$"))
    card = page.get_by_test_id("integration-emailbison")
    for provider in ("emailbison", "gohighlevel", "unipile"):
        expect(page.get_by_test_id(f"integration-state-{provider}")).to_have_text("Not connected")

    # Obvious mistakes are named beside the fields, before any request.
    page.get_by_test_id("integration-emailbison-base_url").fill("not a url")
    page.get_by_test_id("integration-save-emailbison").click()
    expect(card).to_contain_text("Enter an http(s) address")
    expect(card).to_contain_text("API key is required.")
    assert team.api("GET", "/api/integrations")[0]["connected"] is False

    # Connect: the card says connected, shows the hint and the base URL, and checks the key at once.
    page.get_by_test_id("integration-emailbison-base_url").fill(fake_providers.base_url)
    page.get_by_test_id("integration-emailbison-api_key").fill(EMAILBISON_KEY)
    page.get_by_test_id("integration-save-emailbison").click()
    expect(page.get_by_test_id("integration-state-emailbison")).to_have_text("Connected")
    expect(page.get_by_test_id("integration-hint-emailbison")).to_have_text("••••-key")
    expect(card).to_contain_text(fake_providers.base_url)
    expect(page.get_by_test_id("check-result-emailbison")).to_contain_text("Connection works")
    expect(page.get_by_test_id("integration-form-emailbison")).to_have_count(0)  # folded away once connected
    assert EMAILBISON_KEY not in card.inner_text()
    screenshot(page, "settings-integrations")

    # "Check connection" again, on demand.
    page.get_by_test_id("check-emailbison").click()
    expect(page.get_by_test_id("check-result-emailbison")).to_have_attribute("data-ok", "true")

    # Replace the key: the form comes back with the base URL but never the secret; a wrong key shows the
    # provider's reason as the connection's error.
    page.get_by_test_id("replace-credentials-emailbison").click()
    expect(page.get_by_test_id("integration-emailbison-base_url")).to_have_value(fake_providers.base_url)
    secret = page.get_by_test_id("integration-emailbison-api_key")
    expect(secret).to_have_value("")
    expect(secret).to_have_attribute("type", "password")
    secret.fill("wrong-key-9876")
    page.get_by_test_id("integration-save-emailbison").click()
    expect(page.get_by_test_id("integration-state-emailbison")).to_have_text("Error")
    expect(page.get_by_test_id("integration-reason-emailbison")).to_be_visible()
    expect(page.get_by_test_id("integration-hint-emailbison")).to_have_text("••••9876")
    stored = team.api("GET", "/api/integrations")[0]
    assert stored["connected"] is True and stored["status"] == "error"

    # Disconnect asks first; "Cancel" keeps it, "Disconnect" removes it.
    page.get_by_test_id("disconnect-emailbison").click()
    confirm = page.get_by_test_id("disconnect-confirm-emailbison")
    expect(confirm).to_contain_text("Disconnect EmailBison?")
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_have_count(0)
    expect(page.get_by_test_id("integration-state-emailbison")).to_have_text("Error")
    page.get_by_test_id("disconnect-emailbison").click()
    page.get_by_test_id("disconnect-yes-emailbison").click()
    expect(page.get_by_test_id("integration-state-emailbison")).to_have_text("Not connected")
    expect(page.get_by_test_id("integration-emailbison-api_key")).to_have_value("")
    assert team.api("GET", "/api/integrations")[0]["connected"] is False

    # A setter is never offered the page, and opening its address (typed, or reloaded) says who may use it.
    b = open_page(team.setter, "/inbox")
    expect(b.page.get_by_test_id("nav-settings")).to_have_count(0)
    b.page.goto("/settings/integrations")
    expect(b.page.get_by_test_id("integrations-forbidden")).to_contain_text("Only owners and admins")
    expect(b.page.get_by_test_id("integration-emailbison")).to_have_count(0)


def test_an_own_reply_without_a_provider_shows_not_sent_live_in_both_browsers(
    team: Team, open_page: OpenPage
) -> None:
    nora = Person.make("Nora", "Hale", "Brightline Dental")
    lead_id = team.email_reply(nora, "Can you send me the pricing sheet?")["lead_id"]
    team.settle()

    owner = open_page(team.owner, f"/leads/{lead_id}")
    setter = open_page(team.setter, f"/leads/{lead_id}")
    page = setter.page
    # No draft here: the email box is ready for the setter's own words, with Send and Generate draft beside.
    expect(page.get_by_test_id("compose-empty-email")).to_have_text("No pending AI draft")
    expect(page.get_by_test_id("generate-email")).to_be_visible()
    expect(page.get_by_test_id("send-email")).to_be_disabled()
    # A channel Nora never used offers no box, only a draft.
    page.get_by_test_id("tab-sms").click()
    expect(page.get_by_test_id("compose-unused-sms")).to_contain_text("has not written on SMS")
    expect(page.get_by_test_id("compose-text-sms")).to_be_hidden()
    page.get_by_test_id("tab-email").click()

    # The first try does not reach the server: the box keeps the text and says why, "Try again" sends it.
    text = "Hi Nora, here is the pricing sheet. Happy to walk you through it on a call."
    box = page.get_by_test_id("compose-text-email")

    def refuse_posts(route: Route) -> None:
        if route.request.method == "POST":
            route.abort()
        else:
            route.continue_()

    page.route("**/api/leads/*/messages", refuse_posts)
    box.fill(text)
    page.get_by_test_id("compose-subject-email").fill("Pricing sheet")
    page.get_by_test_id("send-email").click()
    expect(page.get_by_test_id("notice-send-error")).to_contain_text("cannot be reached")
    expect(box).to_have_value(text)
    expect(page.get_by_test_id("compose-subject-email")).to_have_value("Pricing sheet")
    before = loaded_message_ids(setter)
    page.unroute("**/api/leads/*/messages")
    page.get_by_test_id("send-retry-email").click()
    expect(box).to_have_value("")
    expect(page.get_by_test_id("notice-send-error")).to_have_count(0)
    message_id = new_message_id(setter, before)

    for tab, role in ((setter, "setter"), (owner, "owner")):
        status = delivery(tab.page, message_id)
        expect(status).to_have_text("Not sent — connect EmailBison")
        expect(status).to_have_attribute("data-status", "not_sent")
        expect(bubble(tab.page, message_id)).to_contain_text(text)
        expect(bubble(tab.page, message_id).get_by_test_id("sent-by-user")).to_have_text(
            "Sent by Sam Park · via EmailBison"
        )
        link = bubble(tab.page, message_id).get_by_test_id("connect-provider")
        expect(link).to_have_count(1 if role == "owner" else 0)
        expect(bubble(tab.page, message_id).get_by_test_id("send-again")).to_have_count(0)
    expect(bubble(page, message_id)).to_contain_text("Ask an owner or admin to connect EmailBison")
    screenshot(owner.page, "own-reply-not-sent")

    sent = message_from_api(team, lead_id, message_id)
    assert sent["subject"] == "Pricing sheet"
    assert sent["delivery"]["status"] == "not_sent"
    assert sent["delivery"]["error"]["code"] == "integration_not_connected"

    # The owner's link leads to the settings page.
    bubble(owner.page, message_id).get_by_test_id("connect-provider").click()
    expect(owner.page).to_have_url(re.compile("/settings/integrations$"))
    expect(owner.page.get_by_test_id("integration-state-emailbison")).to_have_text("Not connected")


def test_failed_and_unknown_sends_are_sent_again_and_both_browsers_follow_live(
    team: Team, open_page: OpenPage, fake_providers: FakeProviders
) -> None:
    team.api(
        "PUT",
        "/api/integrations/emailbison",
        json={"base_url": fake_providers.base_url, "api_key": EMAILBISON_KEY},
    )
    omar = Person.make("Omar", "Reyes", "Harbor Freight Co")
    lead_id = team.email_reply(omar, "What would onboarding look like?")["lead_id"]
    team.settle()

    owner = open_page(team.owner, f"/leads/{lead_id}")
    setter = open_page(team.setter, f"/leads/{lead_id}")
    for tab in (owner, setter):
        tab.page.evaluate("() => { window.__notReloaded = true; }")

    # The provider refuses the first send: both browsers show why, and "Send again" delivers it.
    fake_providers.script(ProviderAnswer.error(422, detail="The recipient mailbox is full."))
    first = send_reply(setter, "email", "Hi Omar, onboarding takes about a week. Shall I send a plan?")
    for tab in (owner, setter):
        status = delivery(tab.page, first)
        expect(status).to_have_attribute("data-status", "failed")
        expect(status).to_contain_text("Failed — ")
        expect(status).to_contain_text("mailbox is full")
        expect(bubble(tab.page, first).get_by_test_id("send-again")).to_be_visible()
    screenshot(setter.page, "delivery-failed", selector=f'[data-message-id="{first}"]')
    setter.page.get_by_test_id("send-again").click()
    for tab in (owner, setter):
        expect(delivery(tab.page, first)).to_have_text("Sent ✓")
        expect(bubble(tab.page, first).get_by_test_id("send-again")).to_have_count(0)

    # The next send may have reached the provider (the connection dropped after the body): never sent again
    # without asking, and "Cancel" sends nothing.
    fake_providers.script(ProviderAnswer.drop_after_body())
    second = send_reply(setter, "email", "Also: the first month is free.")
    for tab in (owner, setter):
        expect(delivery(tab.page, second)).to_have_text("May have been sent")
    sends_before = len(fake_providers.sends("emailbison"))
    page = owner.page
    bubble(page, second).get_by_test_id("send-again").click()
    confirm = bubble(page, second).get_by_test_id("send-again-confirm")
    expect(confirm).to_contain_text("may already have this message")
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_have_count(0)
    page.wait_for_timeout(300)
    assert len(fake_providers.sends("emailbison")) == sends_before
    bubble(page, second).get_by_test_id("send-again").click()
    bubble(page, second).get_by_test_id("send-again-confirm-yes").click()
    for tab in (owner, setter):
        expect(delivery(tab.page, second)).to_have_text("Sent ✓")
        expect(bubble(tab.page, second).get_by_test_id("sent-by-user")).to_have_text(
            "Sent by Sam Park · via EmailBison"
        )
        assert tab.page.evaluate("() => window.__notReloaded") is True

    assert len(fake_providers.sends("emailbison")) == sends_before + 1
    assert message_from_api(team, lead_id, first)["delivery"]["status"] == "sent"
    assert message_from_api(team, lead_id, second)["delivery"]["status"] == "sent"
    assert [m["id"] for m in team.lead(lead_id)["messages"]].count(second) == 1
