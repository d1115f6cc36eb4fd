"""The inbox and the lead view follow what happens elsewhere: new replies, teammates' presence."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.conftest import OpenPage, Person, Team, screenshot, wait_for

pytestmark = pytest.mark.slow


def test_a_new_reply_appears_in_both_browsers_and_moves_its_lead_to_the_top(
    team: Team, open_page: OpenPage
) -> None:
    ava, ben = Person.make("Ava", "Novak", "Meadow Vets"), Person.make("Ben", "Ito", "Keystone")
    ava_id = team.email_reply(ava, "Thanks, who else uses this?")["lead_id"]
    ben_id = team.sms_reply(ben, "Sounds good, send details")["lead_id"]
    team.settle()
    assert team.lead_ids()[:2] == [ben_id, ava_id]

    a = open_page(team.owner, f"/leads/{ava_id}")
    b = open_page(team.setter, f"/leads/{ava_id}")
    for tab in (a, b):
        expect(tab.page.get_by_test_id("lead-row").first).to_have_attribute("data-lead-id", ben_id)
        expect(tab.page.get_by_test_id("message")).to_have_count(1)
    screenshot(b.page, "inbox")

    reply = team.email_reply(ava, "Actually, can we do a call on Friday morning?")
    for tab in (a, b):
        page = tab.page
        message = page.locator(f'[data-message-id="{reply["message_id"]}"]')
        expect(message).to_be_visible()
        expect(message.get_by_test_id("sent-by")).to_have_text("Lead")
        expect(page.get_by_test_id("message")).to_have_count(2)
        expect(page.get_by_test_id("lead-row").first).to_have_attribute("data-lead-id", ava_id)
        expect(message).to_contain_text("call on Friday morning")
    team.settle()


def test_presence_of_a_teammate_shows_and_goes_when_they_close_the_page(
    team: Team, open_page: OpenPage
) -> None:
    cleo = Person.make("Cleo", "Marsh", "Ironclad Security")
    lead_id = team.sms_reply(cleo, "Interesting. Can you call me tomorrow?")["lead_id"]
    team.settle()
    team.api("PATCH", f"/api/leads/{lead_id}/sentiment", json={"sentiment_tag": "Call Requested"})
    wait_for(lambda: team.pending(lead_id).get("sms"), "an SMS draft")

    b = open_page(team.setter, f"/leads/{lead_id}")
    expect(b.page.get_by_test_id("presence")).to_have_count(0)
    a = open_page(team.owner, f"/leads/{lead_id}")

    presence = b.page.get_by_test_id("presence")
    expect(presence).to_contain_text("Dana Reyes is viewing")
    row = b.page.locator(f'[data-testid=lead-row][data-lead-id="{lead_id}"]')
    expect(row.get_by_test_id("row-presence")).to_contain_text("Dana viewing")
    # A sees B; nobody sees themselves.
    expect(a.page.get_by_test_id("presence")).to_contain_text("Sam Park is viewing")
    expect(a.page.get_by_test_id("presence")).not_to_contain_text("Dana")

    a.page.get_by_test_id("compose-text-sms").click()
    a.page.keyboard.type(" Talk soon!")
    expect(presence).to_contain_text("Dana Reyes is composing on SMS")
    expect(row.get_by_test_id("row-presence")).to_contain_text("Dana composing on SMS")

    a.page.close()
    expect(presence).to_have_count(0)
    expect(row.get_by_test_id("row-presence")).to_have_count(0)
