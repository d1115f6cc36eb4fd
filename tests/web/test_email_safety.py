"""Email HTML is shown, never run: scripts, event handlers and javascript: links stay inert."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.conftest import OpenPage, Person, Team

pytestmark = pytest.mark.slow

HOSTILE_HTML = (
    "<p>Hello from <b>Mallory</b>, see the attached plan.</p>"
    "<script>window.parent.__pwned = 'script'; window.top.document.title = 'pwned';</script>"
    "<img src=\"x\" onerror=\"window.parent.__pwned = 'onerror'; window.top.document.title = 'pwned'\">"
    '<img src="https://tracker.example/open.gif?id=42">'
    "<a href=\"javascript:window.parent.__pwned='link'\">plan</a>"
    "<svg onload=\"window.parent.__pwned = 'svg'\"></svg>"
    "<iframe src=\"javascript:parent.__pwned='iframe'\"></iframe>"
)


def test_hostile_email_html_renders_without_running_anything(team: Team, open_page: OpenPage) -> None:
    mallory = Person.make("Mallory", "Quinn", "Evil Corp")
    reply = team.email_reply(mallory, "Hello from Mallory, see the attached plan.", html=HOSTILE_HTML)
    team.settle()
    stored = team.lead(reply["lead_id"])["messages"][0]["html"]
    assert "<script" not in stored and "onerror" not in stored and "tracker.example" not in stored

    a = open_page(team.owner, f"/leads/{reply['lead_id']}")
    page = a.page
    title = "Mallory Quinn · Setterdesk"
    expect(page).to_have_title(title)
    frame_el = page.get_by_test_id("email-frame")
    expect(frame_el).to_have_count(1)
    sandbox = frame_el.get_attribute("sandbox")
    assert sandbox is not None and "allow-scripts" not in sandbox
    frame = page.frame_locator("[data-testid=email-frame]")
    expect(frame.locator("body")).to_contain_text("Hello from Mallory")
    frame.locator("a").first.click()  # a javascript: link does nothing
    page.wait_for_timeout(500)

    assert page.evaluate("() => window.__pwned") is None
    assert page.title() == title and "pwned" not in page.title()
    inner = page.frame_locator("[data-testid=email-frame]").locator("body")
    assert inner.evaluate("(body) => body.ownerDocument.defaultView.__pwned") is None

    # Defence in depth: the page's Content-Security-Policy refuses inline script even if markup got in.
    ran = page.evaluate(
        """() => {
            const s = document.createElement('script');
            s.textContent = 'window.__inline = true';
            document.body.appendChild(s);
            return window.__inline === true;
        }"""
    )
    assert ran is False
    # That refusal is the one console error this page may show.
    a.expected.append("inline script")
