"""The pages themselves: sign up, sign out, sign in errors, the policy header, held sends, insights."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.sync_api import expect

from tests.fakes.fake_openai import FakeReply, RecordedRequest
from tests.web.conftest import OpenPage, Person, Stack, Team, wait_for

pytestmark = pytest.mark.slow


def test_pages_carry_a_strict_content_security_policy(web_stack: Stack) -> None:
    for path in ("/", "/inbox", "/signin", "/insights", "/settings/team", f"/leads/{uuid.uuid4()}"):
        response = httpx.get(web_stack.url + path)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        policy = response.headers["content-security-policy"]
        for directive in (
            "script-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ):
            assert directive in policy
        assert "unsafe-inline" not in policy
        assert '<script type="module" src="/static/js/main.js"></script>' in response.text
    assert (
        httpx.get(web_stack.url + "/static/js/main.js").headers["content-type"].startswith("text/javascript")
    )
    assert httpx.get(web_stack.url + "/static/index.html").status_code == 404


def test_sign_up_sign_out_and_a_wrong_password(web_stack: Stack, open_page: OpenPage) -> None:
    tab = open_page(None, "/signup")
    page = tab.page
    email = f"founder-{uuid.uuid4().hex[:8]}@setterdesk.test"
    page.get_by_test_id("signup-workspace").fill("Fresh Start")
    page.get_by_test_id("signup-name").fill("Fran Founder")
    page.get_by_test_id("signup-email").fill(email)
    page.get_by_test_id("signup-password").fill("fran-password-1")
    page.get_by_test_id("signup-submit").click()
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "live")
    expect(page.get_by_text("No leads yet.")).to_be_visible()

    page.locator(".rail-avatar").click()
    page.get_by_test_id("sign-out").click()
    expect(page.get_by_test_id("signin-email")).to_be_visible()
    page.goto("/insights")
    expect(page.get_by_test_id("signin-email")).to_be_visible()

    page.get_by_test_id("signin-email").fill(email)
    page.get_by_test_id("signin-password").fill("not-the-password")
    page.get_by_test_id("signin-submit").click()
    expect(page.get_by_test_id("auth-error")).to_be_visible()
    page.get_by_test_id("signin-password").fill("fran-password-1")
    page.get_by_test_id("signin-submit").click()
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "live")
    expect(page).to_have_url(re.compile("/insights$"))  # where it was going before signing in


def test_sending_is_held_when_the_lead_wrote_again_and_keys_work(team: Team, open_page: OpenPage) -> None:
    ivy = Person.make("Ivy", "Chen", "Summit Dental")
    lead_id = team.sms_reply(ivy, "Yes please, book me in")["lead_id"]
    team.settle()
    team.api("PATCH", f"/api/leads/{lead_id}/sentiment", json={"sentiment_tag": "Meeting Requested"})
    draft = wait_for(lambda: team.pending(lead_id).get("sms"), "an SMS draft")

    a = open_page(team.owner, f"/leads/{lead_id}")
    page = a.page
    expect(page.get_by_test_id("compose-text-sms")).to_have_value(draft["content"])

    # Ivy writes again; the model keeps her eligible but cannot write the new draft, so the pending draft
    # predates her latest message.
    def classify_then_fail(request: RecordedRequest) -> FakeReply:
        if request.format_name == "sentiment_classification":
            return FakeReply.completed({"sentiment_tag": "Meeting Requested", "reason": "wants another time"})
        return FakeReply.error(400)

    team.stack.fake.script(*[classify_then_fail] * 6)
    later = team.sms_reply(ivy, "Actually, make it next week")
    team.settle()
    team.stack.fake.reset()
    expect(page.locator(f'[data-message-id="{later["message_id"]}"]')).to_be_visible()
    assert team.pending(lead_id)["sms"]["id"] == draft["id"]

    page.keyboard.press("c")
    expect(page.get_by_test_id("compose-text-sms")).to_be_focused()
    page.keyboard.press("Control+Enter")
    held = page.get_by_test_id("notice-held")
    expect(held).to_contain_text("wrote again")
    assert team.pending(lead_id)["sms"]["id"] == draft["id"]  # not sent
    page.get_by_test_id("send-anyway-sms").click()
    expect(held).to_have_count(0)
    expect(page.get_by_test_id("compose-empty-sms")).to_be_visible()
    expect(page.locator("[data-testid=message] [data-testid=sent-by]").last).to_have_text("AI")
    assert "sms" not in team.pending(lead_id)


def test_insights_page_lists_or_explains(team: Team, open_page: OpenPage) -> None:
    a = open_page(team.owner, "/insights")
    expect(a.page.get_by_role("heading", name="Insights")).to_be_visible()
    expect(a.page.get_by_test_id("insight-list")).to_contain_text("insights", ignore_case=True)
