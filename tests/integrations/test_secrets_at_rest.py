"""A provider secret is never in a dump of the database, in any log line, or in any answer (API.md,
"Integrations"); keys rotate (the first key encrypts, all decrypt)."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from server.core.settings import get_settings, reset_settings_cache
from server.integrations import secrets
from tests.conftest import RunningWorker, Workspace
from tests.fakes.fake_providers import FakeProviders
from tests.integrations.helpers import connect
from tests.sending.helpers import email_lead, settled, write

LONG_SECRET = "ghl-token-Zanzibar-0042-integration"


def pg_dump(database_url: str) -> bytes:
    """The whole database as SQL, with a pg_dump whose version the server accepts (the system's, else the
    embedded PostgreSQL's own when the tests run on it)."""
    url = database_url.replace("+asyncpg", "")
    errors = []
    for binary in (shutil.which("pg_dump"), None):
        if binary is None:
            import pgserver

            binary = str(Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_dump")
        done = subprocess.run([binary, "--no-owner", url], capture_output=True, timeout=120, check=False)
        if done.returncode == 0:
            return done.stdout
        errors.append(done.stderr.decode(errors="replace")[:300])
    raise AssertionError(f"no usable pg_dump: {errors}")


async def test_secrets_are_not_in_a_database_dump_nor_in_any_log(
    workspace: Workspace,
    worker: RunningWorker,
    fake_providers: FakeProviders,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    await connect(workspace, "gohighlevel", fake_providers, private_integration_token=LONG_SECRET)
    await workspace.client.post(
        "/api/integrations/gohighlevel/check", headers=workspace.auth
    )  # a 401: logged
    await connect(workspace, "emailbison", fake_providers)
    lead_id, _ = await email_lead(workspace)
    message = await write(workspace, lead_id, "email")
    assert (await settled(workspace, lead_id, message["id"]))["delivery"]["status"] == "sent"
    dump = pg_dump(get_settings().database_url)
    assert b"integrations" in dump  # the table was dumped...
    assert LONG_SECRET.encode() not in dump  # ...without the secret
    assert LONG_SECRET not in caplog.text and "Bearer eb-key" not in caplog.text


def test_rotation_the_first_key_encrypts_and_every_key_decrypts(monkeypatch: pytest.MonkeyPatch) -> None:
    old = os.environ["SETTERDESK_SECRET_KEY"]
    token = secrets.encrypt(LONG_SECRET)
    monkeypatch.setenv("SETTERDESK_SECRET_KEY", f"a new passphrase,{old}")
    reset_settings_cache()
    try:
        assert secrets.decrypt(token) == LONG_SECRET  # the old key still decrypts
        rotated = secrets.rotate(token)
        monkeypatch.setenv("SETTERDESK_SECRET_KEY", "a new passphrase")
        reset_settings_cache()
        assert secrets.decrypt(rotated) == LONG_SECRET  # re-encrypted with the new first key
        with pytest.raises(secrets.SecretUnreadable):
            secrets.decrypt(token)
    finally:
        monkeypatch.undo()
        reset_settings_cache()
