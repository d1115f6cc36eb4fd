"""Team workflow around one lead (issue #16): the activity timeline with who did what, notifications (a toast
in front, the browser's Notification behind, once per lead across tabs), and the Team settings page."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import OpenPage, Person, Tab, Team, screenshot, wait_for

pytestmark = pytest.mark.slow

# The page sees itself in a background tab, and the browser's Notification is recorded instead of shown.
HIDDEN_WITH_NOTIFICATIONS = """
Object.defineProperty(document, 'visibilityState', { get: () => 'hidden', configurable: true });
Object.defineProperty(document, 'hidden', { get: () => true, configurable: true });
window.__notes = [];
class RecordedNotification {
  constructor(title, options) { this.title = title; this.options = options || {}; window.__notes.push(this); }
  close() { this.closed = true; }
  static requestPermission() { return Promise.resolve('granted'); }
}
RecordedNotification.permission = 'granted';
window.Notification = RecordedNotification;
"""

# Permission not decided yet: the page may ask, once, and the asks are counted.
NOT_ASKED_YET = """
window.__asks = 0;
class UndecidedNotification {
  constructor() { throw new Error('not allowed'); }
  static requestPermission() {
    window.__asks += 1;
    UndecidedNotification.permission = 'denied';
    return Promise.resolve('denied');
  }
}
UndecidedNotification.permission = 'default';
window.Notification = UndecidedNotification;
"""


def member_id(team: Team, email: str) -> str:
    members = team.api("GET", "/api/workspace/members")
    return next(m["id"] for m in members if m["email"] == email)


def as_setter(team: Team, method: str, path: str, **kwargs: Any) -> Any:
    response = team.http.request(
        method, path, headers={"Authorization": f"Bearer {team.setter.token}"}, **kwargs
    )
    assert response.status_code < 300, response.text
    return response.json()["data"]


def with_init_script(tab: Tab, script: str) -> Page:
    tab.context.add_init_script(script)
    tab.page.reload()
    expect(tab.page.get_by_test_id("connection")).to_have_attribute("data-state", "live")
    return tab.page


def test_activity_timeline_says_who_assigned_and_who_changed_the_sentiment(
    team: Team, open_page: OpenPage
) -> None:
    ava = Person.make("Ava", "Novak", "Meadow Vets")
    lead_id = team.email_reply(ava, "Thanks, who else uses this?")["lead_id"]
    team.settle()
    sam_id = member_id(team, team.setter.email)

    a = open_page(team.owner, f"/leads/{lead_id}")
    page = a.page
    page.get_by_test_id("sentiment-select").select_option("Not Interested")  # no drafts for this one
    expect(page.get_by_test_id("lead-status")).to_have_text("Not interested")
    page.get_by_test_id("assignee-button").click()
    page.locator(f'[data-testid=assign-member][data-user-id="{sam_id}"]').click()
    expect(page.get_by_test_id("assignee-name")).to_have_text("Sam Park")

    page.get_by_test_id("drawer-tab-activity").click()
    items = page.get_by_test_id("activity-item")
    expect(items.first).to_contain_text("Dana Reyes assigned this lead to Sam Park")
    timeline = page.get_by_test_id("activity-list")
    expect(timeline).to_contain_text("Dana Reyes set Not Interested")
    expect(timeline).to_contain_text("Ava replied by email")
    expect(items.first).to_contain_text(re.compile(r"just now|min ago"))

    # A teammate's change lands on top, live.
    as_setter(team, "PATCH", f"/api/leads/{lead_id}", json={"assigned_to": None})
    expect(items.first).to_contain_text("Sam Park unassigned themselves")
    screenshot(page, "activity", selector="[data-testid=drawer]")

    # Paged: forty edits later, the assignment is one "Load more" away.
    for n in range(40):
        team.api("PATCH", f"/api/leads/{lead_id}", json={"title": f"Head of Ops {n}"})
    expect(items.first).to_contain_text("Dana Reyes edited the lead’s title")
    page.get_by_test_id("drawer-tab-details").click()
    page.reload()
    page.get_by_test_id("drawer-tab-activity").click()
    expect(items.first).to_contain_text("edited the lead’s title")
    expect(timeline).not_to_contain_text("assigned this lead to Sam Park")
    page.get_by_test_id("activity-more").click()
    expect(timeline).to_contain_text("Dana Reyes assigned this lead to Sam Park")
    expect(timeline).to_contain_text("Sam Park unassigned themselves")
    ids = [int(x) for x in items.evaluate_all("els => els.map(e => e.dataset.eventId)")]
    assert ids == sorted(ids, reverse=True)


def test_a_reply_on_my_lead_notifies_me_once_across_my_tabs(team: Team, open_page: OpenPage) -> None:
    ben = Person.make("Ben", "Ito", "Keystone")
    lead_id = team.email_reply(ben, "Sounds good, send details")["lead_id"]
    team.settle()
    sam_id = member_id(team, team.setter.email)
    team.api("PATCH", f"/api/leads/{lead_id}", json={"assigned_to": sam_id})

    # Sam has two background tabs open; Dana (not assigned) has the inbox in front.
    b = open_page(team.setter, "/inbox")
    first = with_init_script(b, HIDDEN_WITH_NOTIFICATIONS)
    second = b.context.new_page()
    second.goto("/inbox")
    expect(second.get_by_test_id("connection")).to_have_attribute("data-state", "live")
    a = open_page(team.owner, "/inbox")

    team.email_reply(ben, "Actually, can you call me at 4?")

    def notes() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for tab in (first, second):
            found += tab.evaluate("() => window.__notes.map(n => ({title: n.title, body: n.options.body}))")
        return found

    wait_for(lambda: notes(), "a desktop notification")
    first.wait_for_timeout(1500)  # the other tab had its chance to notify too
    assert notes() == [{"title": "Ben Ito replied", "body": "Actually, can you call me at 4?"}]
    expect(a.page.get_by_test_id("notify-toast")).to_have_count(0)  # not Dana's lead

    # A second reply within the minute: no second notification for that lead.
    team.email_reply(ben, "Or 5 works too")
    expect(first.locator(f'[data-testid=lead-row][data-lead-id="{lead_id}"]')).to_have_attribute(
        "data-unread", "3"
    )
    first.wait_for_timeout(800)
    assert len(notes()) == 1

    # Clicking the notification opens the lead in the tab that showed it.
    shown = first if first.evaluate("() => window.__notes.length") else second
    shown.evaluate("() => window.__notes[0].onclick()")
    expect(shown).to_have_url(re.compile(f"/leads/{lead_id}$"))
    expect(shown.get_by_test_id("lead-name")).to_have_text("Ben Ito")
    team.settle()


def test_in_front_a_toast_tells_and_an_unassigned_interested_lead_too(
    team: Team, open_page: OpenPage
) -> None:
    cleo, dan = Person.make("Cleo", "Marsh", "Ironclad Security"), Person.make("Dan", "Ruiz", "Northwind")
    lead_id = team.email_reply(cleo, "Who is this?")["lead_id"]
    dan_id = team.email_reply(dan, "Hmm")["lead_id"]
    dana_id = member_id(team, team.owner.email)
    team.settle()
    team.api("PATCH", f"/api/leads/{lead_id}", json={"assigned_to": dana_id})
    team.api("PATCH", f"/api/leads/{dan_id}/sentiment", json={"sentiment_tag": "Neutral"})

    a = open_page(team.owner, "/inbox")
    page = with_init_script(a, NOT_ASKED_YET)
    b = open_page(team.setter, "/inbox")

    team.email_reply(cleo, "OK tell me more about pricing")
    toast = page.get_by_test_id("notify-toast")
    expect(toast).to_contain_text("Cleo Marsh replied: OK tell me more about pricing")
    toast.click()
    expect(page).to_have_url(re.compile(f"/leads/{lead_id}$"))
    expect(page.get_by_test_id("lead-name")).to_have_text("Cleo Marsh")

    # An unassigned lead turning Interested: the team hears of it, except whoever set it.
    as_setter(team, "PATCH", f"/api/leads/{dan_id}/sentiment", json={"sentiment_tag": "Interested"})
    expect(page.get_by_test_id("notify-toast").filter(has_text="Dan Ruiz is Interested")).to_be_visible()
    b.page.wait_for_timeout(800)
    expect(b.page.get_by_test_id("notify-toast").filter(has_text="Dan Ruiz")).to_have_count(0)

    # Desktop notifications are asked for once, from a click, and a refusal is remembered.
    prompt = page.get_by_test_id("notify-prompt")
    expect(prompt).to_be_visible()
    page.get_by_test_id("notify-enable").click()
    expect(prompt).to_be_hidden()
    assert page.evaluate("() => window.__asks") == 1
    page.reload()
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "live")
    expect(prompt).to_be_hidden()
    assert page.evaluate("() => window.__asks") == 0  # a fresh page: asked before, so not again
    team.settle()


def test_team_page_lists_members_adds_one_and_sets_round_robin(team: Team, open_page: OpenPage) -> None:
    a = open_page(team.owner, "/inbox")
    page = a.page
    page.get_by_test_id("nav-team").click()
    expect(page).to_have_url(re.compile("/settings/team$"))
    members = page.get_by_test_id("team-member")
    expect(members).to_have_count(2)
    expect(members.first).to_contain_text("Dana Reyes")
    expect(members.first.get_by_test_id("team-role")).to_have_text("Owner")

    email = f"lee-{uuid.uuid4().hex[:8]}@setterdesk.test"
    page.get_by_test_id("member-name").fill("Lee Quinn")
    page.get_by_test_id("member-email").fill(email)
    page.get_by_test_id("member-password").fill("short")
    page.get_by_test_id("member-submit").click()
    expect(page.get_by_test_id("member-error")).to_be_visible()
    expect(page.get_by_test_id("member-name")).to_have_value("Lee Quinn")  # what was typed stays
    page.get_by_test_id("member-password").fill("lee-password-1")
    page.get_by_test_id("member-submit").click()
    expect(members).to_have_count(3)
    expect(page.get_by_test_id("team-list")).to_contain_text(email)
    login = httpx.post(
        f"{team.stack.url}/api/auth/login", json={"email": email, "password": "lee-password-1"}
    )
    assert login.status_code == 200, login.text

    # Round robin: the owner switches it; a setter sees it, read-only.
    toggle = page.get_by_test_id("auto-assign-toggle")
    if team.api("GET", "/api/me")["workspace"].get("auto_assign") is None:
        pytest.skip("the server has no auto_assign setting yet")
    expect(toggle).not_to_be_checked()
    toggle.check()
    expect(page.get_by_test_id("auto-assign-state")).to_contain_text("in turn")
    wait_for(lambda: team.api("GET", "/api/me")["workspace"]["auto_assign"] == "round_robin", "saved")
    screenshot(page, "team")

    b = open_page(team.setter, "/settings/team")
    expect(b.page.get_by_test_id("team-member")).to_have_count(3)
    expect(b.page.get_by_test_id("team-add")).to_have_count(0)
    expect(b.page.get_by_test_id("auto-assign-toggle")).to_be_checked()
    expect(b.page.get_by_test_id("auto-assign-toggle")).to_be_disabled()
