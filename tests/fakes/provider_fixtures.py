"""Pytest fixtures around the fake providers (EmailBison, GoHighLevel, Unipile). A conftest imports them:

- fake_providers_server: one server for the whole session.
- fake_providers: that server, with its script and recorded requests cleared before and after the test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.fake_providers import FakeProviders


@pytest.fixture(scope="session")
def fake_providers_server() -> Iterator[FakeProviders]:
    with FakeProviders() as server:
        yield server


@pytest.fixture
def fake_providers(fake_providers_server: FakeProviders) -> Iterator[FakeProviders]:
    fake_providers_server.reset()
    yield fake_providers_server
    fake_providers_server.reset()
