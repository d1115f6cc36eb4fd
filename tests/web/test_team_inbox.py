"""Team workflow in the inbox (issue #16): assignment seen live by a teammate and the Mine / Unassigned / All
segments, unread counts per user (and per user's tabs), search snippets."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.web.conftest import OpenPage, Person, Team, screenshot, wait_for

pytestmark = pytest.mark.slow


def member_id(team: Team, email: str) -> str:
    members = team.api("GET", "/api/workspace/members")
    return next(m["id"] for m in members if m["email"] == email)


def row(page: Page, lead_id: str) -> Locator:
    return page.locator(f'[data-testid=lead-row][data-lead-id="{lead_id}"]')


def test_assigning_in_one_browser_moves_the_lead_in_a_teammates_segments(
    team: Team, open_page: OpenPage
) -> None:
    ava = Person.make("Ava", "Novak", "Meadow Vets")
    lead_id = team.email_reply(ava, "Thanks, who else uses this?")["lead_id"]
    team.settle()
    sam_id = member_id(team, team.setter.email)
    dana_id = member_id(team, team.owner.email)

    b = open_page(team.setter, "/inbox")
    b_row = row(b.page, lead_id)
    expect(b_row.get_by_test_id("row-unassigned")).to_be_visible()
    b.page.get_by_test_id("segment-mine").click()
    expect(b.page.get_by_test_id("inbox-empty")).to_contain_text("No leads assigned to you")

    a = open_page(team.owner, f"/leads/{lead_id}")
    expect(a.page.get_by_test_id("assignee-name")).to_have_text("Unassigned")
    a.page.get_by_test_id("assignee-button").click()
    expect(a.page.get_by_test_id("assignee-menu")).to_be_visible()
    screenshot(a.page, "assignee-menu")
    a.page.locator(f'[data-testid=assign-member][data-user-id="{sam_id}"]').click()
    expect(a.page.get_by_test_id("assignee-name")).to_have_text("Sam Park")

    # B is on "Mine": the lead comes in, with Sam's avatar, without a reload.
    assignee = b_row.get_by_test_id("row-assignee")
    expect(assignee).to_have_attribute("data-user-id", sam_id)
    expect(assignee).to_have_attribute("aria-label", "Assigned to Sam Park")
    screenshot(b.page, "inbox-mine")
    assert team.lead(lead_id)["lead"]["assigned_to"] == sam_id

    # The choice of segment outlives a reload.
    b.page.reload()
    expect(b.page.get_by_test_id("segment-mine")).to_have_class(re.compile(r"\bactive\b"))
    expect(b_row).to_be_visible()

    # Reassigned to Dana: it leaves B's "Mine", and "All" shows Dana's avatar.
    a.page.get_by_test_id("assignee-button").click()
    a.page.get_by_test_id("assign-me").click()
    expect(b_row).to_have_count(0)
    b.page.get_by_test_id("segment-all").click()
    expect(b_row.get_by_test_id("row-assignee")).to_have_attribute("data-user-id", dana_id)
    b.page.get_by_test_id("segment-unassigned").click()
    expect(b_row).to_have_count(0)

    # The setter's menu offers only what the server allows: taking the lead for themselves.
    b.page.get_by_test_id("segment-all").click()
    b_row.click()
    expect(b.page.get_by_test_id("assignee-name")).to_have_text("Dana Reyes")
    b.page.get_by_test_id("assignee-button").click()
    expect(b.page.get_by_test_id("assign-member")).to_have_count(0)
    expect(b.page.get_by_test_id("assign-unassign")).to_have_count(0)
    b.page.get_by_test_id("assign-me").click()
    expect(b.page.get_by_test_id("assignee-name")).to_have_text("Sam Park")
    expect(a.page.get_by_test_id("assignee-name")).to_have_text("Sam Park")
    b.page.get_by_test_id("assignee-button").click()
    expect(b.page.get_by_test_id("assign-me")).to_have_count(0)
    b.page.get_by_test_id("assign-unassign").click()
    expect(a.page.get_by_test_id("assignee-name")).to_have_text("Unassigned")


def test_a_refused_assignment_reverts_with_a_toast(team: Team, open_page: OpenPage) -> None:
    cleo = Person.make("Cleo", "Marsh", "Ironclad")
    lead_id = team.sms_reply(cleo, "Who is this?")["lead_id"]
    team.settle()
    b = open_page(team.setter, f"/leads/{lead_id}")
    expect(b.page.get_by_test_id("assignee-name")).to_have_text("Unassigned")
    b.page.get_by_test_id("assignee-button").click()
    # The menu offers a setter nothing the server refuses, so the refusal (a teammate's role changed, say) is
    # played on the page's own request: 403 forbidden, as the server answers it.
    b.page.route(
        f"**/api/leads/{lead_id}",
        lambda route: (
            route.fulfill(
                status=403,
                content_type="application/json",
                body='{"success": false, "error": {"code": "forbidden", "message": "no"}}',
            )
            if route.request.method == "PATCH"
            else route.continue_()
        ),
    )
    b.page.get_by_test_id("assign-me").click()
    expect(b.page.get_by_test_id("assign-error")).to_contain_text("only assign leads to yourself")
    expect(b.page.get_by_test_id("assignee-name")).to_have_text("Unassigned")


def test_unread_is_per_user_and_a_read_clears_the_users_other_tabs(team: Team, open_page: OpenPage) -> None:
    ben = Person.make("Ben", "Ito", "Keystone")
    lead_id = team.email_reply(ben, "Sounds good, send details")["lead_id"]
    team.settle()

    a = open_page(team.owner, "/inbox")
    b = open_page(team.setter, "/inbox")
    a2 = a.context.new_page()  # a second tab of Dana's
    a2.goto("/inbox")
    for page in (a.page, b.page, a2):
        expect(row(page, lead_id)).to_have_attribute("data-unread", "1")

    team.email_reply(ben, "Also, can you include pricing?")
    for page in (a.page, b.page, a2):
        lead_row = row(page, lead_id)
        expect(lead_row).to_have_class(re.compile(r"\bunread\b"))
        expect(lead_row.get_by_test_id("unread-count")).to_have_text("2")
        expect(page.get_by_test_id("segment-unread-all")).to_have_text("1")
        expect(page).to_have_title(re.compile(r"^\(1\) Inbox · Setterdesk$"))

    # Dana opens it: read for Dana in both her tabs, still unread for Sam.
    row_a = row(a.page, lead_id)
    row_a.click()
    expect(a.page.get_by_test_id("message")).to_have_count(2)
    expect(row_a).not_to_have_class(re.compile(r"\bunread\b"))
    row_a2 = row(a2, lead_id)
    expect(row_a2).to_have_attribute("data-unread", "0")
    expect(row_a2).not_to_have_class(re.compile(r"\bunread\b"))
    expect(a2).to_have_title("Inbox · Setterdesk")
    row_b = row(b.page, lead_id)
    expect(row_b.get_by_test_id("unread-count")).to_have_text("2")
    expect(b.page.get_by_test_id("nav-inbox-unread")).to_have_text("1")

    # The server agrees: Dana has read it, Sam has not.
    setter_auth = {"Authorization": f"Bearer {team.setter.token}"}
    sam_view = httpx.get(f"{team.stack.url}/api/leads/{lead_id}", headers=setter_auth).json()["data"]
    assert sam_view["lead"]["unread_count"] == 2
    assert team.lead(lead_id)["lead"]["unread_count"] == 0

    # A reply while Dana has the lead open (and in front) is read as it lands; Sam's count goes on.
    team.email_reply(ben, "One more thing: do you integrate with HubSpot?")
    expect(a.page.get_by_test_id("message")).to_have_count(3)
    expect(row_b.get_by_test_id("unread-count")).to_have_text("3")
    wait_for(lambda: team.lead(lead_id)["lead"]["unread_count"] == 0, "Dana's read of the new reply")
    expect(row_a).to_have_attribute("data-unread", "0")
    expect(row_a2).to_have_attribute("data-unread", "0")

    # "Unread only" in Sam's browser lists it; once Sam reads it in another tab it leaves the list.
    b.page.get_by_test_id("inbox-unread-toggle").click()
    expect(row_b).to_be_visible()
    httpx.post(f"{team.stack.url}/api/leads/{lead_id}/read", headers=setter_auth).raise_for_status()
    expect(row_b).to_have_count(0)
    expect(b.page.get_by_test_id("inbox-empty")).to_contain_text("All caught up")
    team.settle()


def test_search_shows_the_matching_words_of_a_message(team: Team, open_page: OpenPage) -> None:
    ivy = Person.make("Ivy", "Chen", "Summit Dental")
    lead_id = team.email_reply(ivy, "Could we do <b>Thursday</b> at 3pm instead? Tuesday is busy.")["lead_id"]
    other = team.sms_reply(Person.make("Joe", "Park"), "Not now, thanks")["lead_id"]
    team.settle()
    a = open_page(team.owner, "/inbox")
    expect(row(a.page, other)).to_be_visible()
    a.page.get_by_test_id("inbox-search").fill("thursday")
    lead_row = row(a.page, lead_id)
    expect(lead_row).to_be_visible()
    expect(row(a.page, other)).to_have_count(0)
    snippet = lead_row.get_by_test_id("row-snippet")
    expect(snippet.locator("mark")).to_have_text("Thursday")
    expect(snippet).to_contain_text("at 3pm")
    # The message's markup is text here, never HTML.
    assert snippet.locator("b").count() == 0

    # A new message that matches brings its lead in while the search is on.
    kim = Person.make("Kim", "Lee", "Harbor")
    kim_id = team.email_reply(kim, "Thursday works for me too")["lead_id"]
    kim_row = row(a.page, kim_id)
    expect(kim_row.get_by_test_id("row-snippet").locator("mark")).to_have_text("Thursday")
    screenshot(a.page, "inbox-search")
    team.settle()
