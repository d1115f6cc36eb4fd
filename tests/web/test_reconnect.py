"""A browser whose socket was cut catches up from its last event id and shows exactly the current state."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import OpenPage, Person, Tab, Team, screenshot, wait_for

pytestmark = pytest.mark.slow


def matches_server(tab: Tab, team: Team, lead_id: str) -> dict[str, Any] | None:
    """The page's state against a fresh fetch; None while they differ."""
    state = tab.snapshot()
    lead, inbox = state["lead"], state["inbox"]
    detail = team.lead(lead_id)
    drafts = team.pending(lead_id)
    expected_messages = [m["id"] for m in detail["messages"]]
    checks = {
        "phases": (lead["phase"], inbox["phase"]) == ("live", "live"),
        "messages": lead["messageIds"] == expected_messages,
        "dom messages": lead["domMessageIds"] == expected_messages,
        "sentiment": lead["sentiment"] == detail["lead"]["sentiment_tag"],
        "list order": inbox["order"] == team.lead_ids(),
    }
    for channel in ("email", "sms", "linkedin"):
        pane, draft = lead["compose"][channel], drafts.get(channel)
        checks[f"{channel} draft"] = (pane["draftId"], pane["version"]) == (
            (draft["id"], draft["version"]) if draft else (None, None)
        )
        checks[f"{channel} text"] = pane["text"] == (draft["content"] if draft else "")
    return None if not all(checks.values()) else checks


def test_after_a_cut_socket_the_page_resumes_and_shows_exactly_the_current_state(
    team: Team, open_page: OpenPage
) -> None:
    nora, omar = Person.make("Nora", "Berg", "Vantage Auto"), Person.make("Omar", "Haddad", "Sparrow Bakery")
    lead_id = team.email_reply(nora, "Tell me more about how this works.")["lead_id"]
    team.sms_reply(nora, "Texting is easier for me.")
    other_id = team.sms_reply(omar, "Who is this?")["lead_id"]
    team.settle()

    a = open_page(team.owner, f"/leads/{lead_id}")
    expect(a.page.get_by_test_id("message")).to_have_count(2)
    assert matches_server(a, team, lead_id)
    before = a.snapshot()
    assert before["inbox"]["order"][0] == other_id

    a.page.evaluate("() => window.__setterdesk.dropSocket({ hold: true })")
    expect(a.page.get_by_test_id("connection")).to_have_attribute("data-state", "reconnecting")
    expect(a.page.get_by_test_id("connection-banner")).to_be_visible()

    # Meanwhile, elsewhere: a new reply, a sentiment change with its drafts, a teammate's edit, and
    # activity on another lead that moves it up.
    reply = team.email_reply(nora, "Also, do you integrate with HubSpot?")
    team.settle()
    team.api("PATCH", f"/api/leads/{lead_id}/sentiment", json={"sentiment_tag": "Information Requested"})
    drafts = wait_for(lambda: (d := team.pending(lead_id)).keys() == {"email", "sms"} and d, "two drafts")
    edited = team.api(
        "PATCH",
        f"/api/drafts/{drafts['sms']['id']}",
        json={
            "content": "Hi Nora, yes: HubSpot syncs both ways. Call Thursday?",
            "version": drafts["sms"]["version"],
        },
    )
    team.sms_reply(omar, "Ok, send me a link")
    team.settle()
    # Nothing of that reached the page while it was offline.
    assert a.snapshot()["lead"]["messageIds"] == before["lead"]["messageIds"]

    a.page.evaluate("() => window.__setterdesk.resumeSocket()")
    expect(a.page.get_by_test_id("connection")).to_have_attribute("data-state", "live")
    checks = wait_for(lambda: matches_server(a, team, lead_id), "the page to match the server")
    assert checks
    expect(a.page.get_by_test_id("connection-banner")).to_be_hidden()
    expect(a.page.locator(f'[data-message-id="{reply["message_id"]}"]')).to_have_count(1)
    expect(a.page.get_by_test_id("compose-text-sms")).to_have_value(edited["content"])
    expect(a.page.get_by_test_id("sentiment-select")).to_have_value("Information Requested")
    expect(a.page.get_by_test_id("lead-row").first).to_have_attribute("data-lead-id", other_id)
    after = a.snapshot()
    assert after["lead"]["lastEventId"] > before["lead"]["lastEventId"]
    # Replays overlapping live delivery never duplicate anything.
    assert len(set(after["lead"]["domMessageIds"])) == len(after["lead"]["domMessageIds"])
    screenshot(a.page, "after-reconnect")
