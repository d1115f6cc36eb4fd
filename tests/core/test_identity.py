"""Normal forms that decide whether two payloads are the same lead."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.core.identity import normalize_email, normalize_linkedin_url, normalize_phone, split_name


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Dana@Prospect.IO ", "dana@prospect.io"),
        ("dana@prospect.io", "dana@prospect.io"),
        ("dana", None),
        ("@prospect.io", None),
        ("dana@", None),
        ("dana@a@b", None),
        ("da na@prospect.io", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_email(value: str | None, expected: str | None) -> None:
    assert normalize_email(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+1 (415) 555-0100", "14155550100"),
        ("(555) 555-0100", "5555550100"),
        ("+15551234567", "15551234567"),
        ("555-0100", "5550100"),
        ("55-01", None),
        ("call me", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_phone(value: str | None, expected: str | None) -> None:
    assert normalize_phone(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "https://www.linkedin.com/in/ACoAA-dana",
        "https://www.linkedin.com/in/ACoAA-dana/",
        "http://linkedin.com/in/acoaa-dana?trk=public_profile#about",
        "HTTPS://WWW.LinkedIn.com/in/ACoAA-Dana/",
        "www.linkedin.com/in/ACoAA-dana",
        "linkedin.com/in/acoaa-dana",
        "//linkedin.com/in/acoaa-dana",
        "  https://linkedin.com/in/ACoAA-dana  ",
    ],
)
def test_normalize_linkedin_url_agrees_on_one_form(value: str) -> None:
    assert normalize_linkedin_url(value) == "linkedin.com/in/acoaa-dana"


def test_normalize_linkedin_url_decodes_percent_escapes() -> None:
    assert normalize_linkedin_url("https://www.linkedin.com/in/ren%C3%A9-x") == normalize_linkedin_url(
        "https://linkedin.com/in/René-x"
    )


@pytest.mark.parametrize("value", ["", "   ", "https://", "https://www.", "/", None])
def test_normalize_linkedin_url_empty(value: str | None) -> None:
    assert normalize_linkedin_url(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Dana Lee", ("Dana", "Lee")),
        ("  Dana   van der  Berg ", ("Dana", "van der Berg")),
        ("Dana", ("Dana", None)),
        ("", (None, None)),
        ("   ", (None, None)),
        (None, (None, None)),
    ],
)
def test_split_name(value: str | None, expected: tuple[str | None, str | None]) -> None:
    assert split_name(value) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_normalizers_never_raise_and_are_idempotent(value: str) -> None:
    for normalize in (normalize_email, normalize_phone):
        once = normalize(value)
        assert once is None or normalize(once) == once
    url = normalize_linkedin_url(value)
    assert url is None or (url == url.lower() and not url.endswith("/"))
    first, last = split_name(value)
    assert first is None or (first.strip() == first and first)
    assert last is None or last.strip() == last
