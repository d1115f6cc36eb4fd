from __future__ import annotations

from tests.fakes.openai_fixtures import (  # noqa: F401  (fixtures)
    fake_openai,
    fake_openai_server,
    openai_env,
    openai_provider,
)
