"""The sentiment rules: which senders are mail servers reporting a bounce (they never get a draft)."""

from __future__ import annotations

import pytest

from server.sentiment.rules import is_bounce_sender, should_generate_draft


@pytest.mark.parametrize(
    "sender",
    [
        "mailer-daemon@googlemail.com",
        "MAILER-DAEMON@mx.example.com",
        "Mailer_Daemon@example.com",
        "mail-daemon@example.com",
        "postmaster@example.com",
        "Postmaster@outlook.com",
        "mail-delivery@example.com",
        "mail.delivery.subsystem@example.com",
        "bounce@example.com",
        "bounces@example.com",
        "bounce+abc123@mailgun.example.com",
        "bounces+srs=xyz@sendgrid.net",
        "bounce-mc.us5_1234.5678-lead=prospect.io@mail123.suw.mcsv.net",
        "no-reply-bounces@example.com",
        "Mail Delivery Subsystem <MAILER-DAEMON@mx.example.com>",
        "  postmaster@example.com  ",
    ],
)
def test_delivery_status_senders_are_bounces(sender: str) -> None:
    assert is_bounce_sender(sender)
    assert not should_generate_draft("Interested", sender)


@pytest.mark.parametrize(
    "sender",
    [
        None,
        "",
        "dana@prospect.io",
        "bouncer@nightclub.example",  # a person, not a bounce
        "postmasters-guild@example.com",
        "daemon.hunter@example.com",
        "Dana Lee <dana@prospect.io>",
    ],
)
def test_people_are_not_bounces(sender: str | None) -> None:
    assert not is_bounce_sender(sender)
    assert should_generate_draft("Interested", sender)
