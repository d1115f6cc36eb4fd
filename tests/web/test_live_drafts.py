"""Drafts reach the compose pane live, and never clobber what a setter typed (the phase-109 bug)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.web.conftest import OpenPage, Person, Team, screenshot, wait_for

pytestmark = pytest.mark.slow

NOT_EMPTY = re.compile(r"\S")


def test_sentiment_change_brings_drafts_for_every_channel_to_both_browsers_without_reload(
    team: Team, open_page: OpenPage
) -> None:
    dana = Person.make("Maya", "Lindqvist", "Northwind Logistics")
    lead_id = team.email_reply(dana, "Could you tell me a bit more about pricing?")["lead_id"]
    assert team.sms_reply(dana, "Also happy to text here.")["lead_id"] == lead_id
    team.settle()

    # B is already on the lead; A signs in through the form and opens it from the list.
    b = open_page(team.setter, f"/leads/{lead_id}")
    a = open_page(None, "/")
    a.page.get_by_test_id("signin-email").fill(team.owner.email)
    a.page.get_by_test_id("signin-password").fill(team.owner.password)
    a.page.get_by_test_id("signin-submit").click()
    expect(a.page.get_by_test_id("connection")).to_have_attribute("data-state", "live")
    a.page.locator(f'[data-testid=lead-row][data-lead-id="{lead_id}"]').click()
    expect(a.page).to_have_url(re.compile(f"/leads/{lead_id}$"))
    for tab in (a, b):
        # SMS is the active channel (the latest reply came there): no draft yet on any channel.
        expect(tab.page.get_by_test_id("compose-empty-sms")).to_be_visible()
        expect(tab.page.get_by_test_id("compose-text-email")).to_have_value("")
        tab.page.evaluate("() => { window.__notReloaded = true; }")

    a.page.get_by_test_id("sentiment-select").select_option("Interested")

    drafts = wait_for(lambda: (d := team.pending(lead_id)).keys() == {"email", "sms"} and d, "two drafts")
    for tab in (a, b):
        page = tab.page
        expect(page.get_by_test_id("compose-text-email")).to_have_value(drafts["email"]["content"])
        expect(page.get_by_test_id("compose-text-sms")).to_have_value(drafts["sms"]["content"])
        page.keyboard.press("2")
        expect(page.get_by_test_id("compose-sms")).to_be_visible()
        expect(page.get_by_test_id("provider-sms")).to_contain_text("OpenAI")
        expect(page.get_by_test_id("tab-draft-sms")).to_be_visible()
        page.keyboard.press("1")
        expect(page.get_by_test_id("compose-email")).to_be_visible()
        expect(page.get_by_test_id("compose-text-email")).to_have_value(NOT_EMPTY)
        assert page.evaluate("() => window.__notReloaded") is True
        expect(page.get_by_test_id("lead-status")).to_have_text("Qualified")

    # The list shows the draft marker too; A's view is the one the README shows.
    expect(
        b.page.locator(f'[data-testid=lead-row][data-lead-id="{lead_id}"] [data-testid=row-draft]')
    ).to_be_visible()
    screenshot(a.page, "lead-view")
    screenshot(a.page, "compose-live-draft", selector="[data-testid=composer]")


def test_a_new_draft_never_replaces_text_the_setter_typed(team: Team, open_page: OpenPage) -> None:
    ben = Person.make("Ben", "Okafor", "Cedar Legal")
    lead_id = team.sms_reply(ben, "Yes, let's talk. What does it cost?")["lead_id"]
    team.settle()
    team.api("PATCH", f"/api/leads/{lead_id}/sentiment", json={"sentiment_tag": "Interested"})
    first = wait_for(lambda: team.pending(lead_id).get("sms"), "the first SMS draft")

    b = open_page(team.setter, f"/leads/{lead_id}")
    text = b.page.get_by_test_id("compose-text-sms")
    expect(text).to_have_value(first["content"])
    mine = "Hi Ben, Sam here: our plans start at $99/month. Would Thursday at 2pm work for a call?"
    text.fill(mine)
    expect(b.page.get_by_test_id("save-state-sms")).to_have_text("Saved")

    # Someone asks for a new draft (here: over the API, as a teammate's "Regenerate" does).
    team.api("POST", f"/api/leads/{lead_id}/drafts", json={"channel": "sms"})
    second = wait_for(
        lambda: (d := team.pending(lead_id).get("sms")) and d["id"] != first["id"] and d,
        "the second SMS draft",
    )

    notice = b.page.get_by_test_id("notice-new-draft")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("New AI draft")
    expect(text).to_have_value(mine)
    b.page.wait_for_timeout(500)  # nothing replaces it later either
    expect(text).to_have_value(mine)

    b.page.get_by_test_id("replace-sms").click()
    expect(text).to_have_value(second["content"])
    expect(notice).to_have_count(0)
    assert b.snapshot()["lead"]["compose"]["sms"]["draftId"] == second["id"]
