"""A workspace's provider accounts: connect, read, check, disconnect, and the credentials a send uses
(API.md, "Integrations"). Owners and admins only; the handlers check the role."""

from __future__ import annotations

import uuid
from typing import Any, Final, Literal
from urllib.parse import urlsplit

import msgspec
from sqlalchemy import delete, select, update

from server.core.db.base import utcnow
from server.core.db.engine import autocommit, read_session
from server.core.db.models import Integration
from server.core.errors import InvalidInput, NotFound
from server.core.logging import get_logger
from server.integrations import secrets
from server.integrations.clients import emailbison, gohighlevel, unipile
from server.integrations.clients.credentials import Credentials
from server.integrations.clients.transport import ProviderFailure

log = get_logger(__name__)

Provider = Literal["emailbison", "gohighlevel", "unipile"]
PROVIDERS: Final[tuple[Provider, ...]] = ("emailbison", "gohighlevel", "unipile")
# The provider that carries each channel.
PROVIDER_OF_CHANNEL: Final[dict[str, Provider]] = {
    "email": "emailbison",
    "sms": "gohighlevel",
    "linkedin": "unipile",
}
_MAX_FIELD = 500


class IntegrationView(msgspec.Struct):
    provider: str
    connected: bool
    status: str  # ok | error
    error: str | None
    base_url: str | None
    settings: dict[str, Any]
    secret_hint: str | None
    updated_at: Any


class CheckResult(msgspec.Struct, omit_defaults=True):
    ok: bool
    error: str | None = None


def require_provider(provider: str) -> Provider:
    for known in PROVIDERS:
        if provider == known:
            return known
    raise NotFound("no such provider: use emailbison, gohighlevel or unipile")


def _view(provider: str, row: Integration | None) -> IntegrationView:
    if row is None:
        return IntegrationView(provider, False, "ok", None, None, {}, None, None)
    return IntegrationView(
        provider=provider,
        connected=True,
        status=row.status,
        error=row.error,
        base_url=row.base_url,
        settings=dict(row.settings or {}),
        secret_hint=row.secret_hint or None,
        updated_at=row.updated_at,
    )


async def list_integrations(workspace_id: uuid.UUID) -> list[IntegrationView]:
    async with read_session() as session:
        rows = (
            await session.scalars(select(Integration).where(Integration.workspace_id == workspace_id))
        ).all()
    by_provider = {row.provider: row for row in rows}
    return [_view(provider, by_provider.get(provider)) for provider in PROVIDERS]


def _field(data: dict[str, Any], name: str, *, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(f"{name} is required", code="invalid_integration")
        return None
    if not isinstance(value, str) or len(value) > _MAX_FIELD or "\x00" in value:
        raise InvalidInput(
            f"{name} must be a string of at most {_MAX_FIELD} characters", code="invalid_integration"
        )
    return value.strip()


def _base_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise InvalidInput(
            "base_url must be an http(s) URL such as https://api.example.com", code="invalid_integration"
        )
    return value.rstrip("/")


def _fields(provider: Provider, data: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
    """base_url, secret and the non-secret settings of a PUT body, checked."""
    if provider == "emailbison":
        return _base_url(_field(data, "base_url") or ""), _field(data, "api_key") or "", {}
    if provider == "gohighlevel":
        base_url = _field(data, "base_url", required=False) or gohighlevel.DEFAULT_BASE_URL
        secret = _field(data, "private_integration_token") or ""
        return _base_url(base_url), secret, {"location_id": _field(data, "location_id") or ""}
    secret = _field(data, "api_key") or ""
    return _base_url(_field(data, "base_url") or ""), secret, {"account_id": _field(data, "account_id") or ""}


async def connect(workspace_id: uuid.UUID, provider: Provider, data: dict[str, Any]) -> IntegrationView:
    """Create or replace the provider's connection (status back to ok). Raises SecretKeyMissing without a
    key."""
    base_url, secret, settings = _fields(provider, data)
    encrypted = secrets.encrypt(secret)
    now = utcnow()
    async with read_session() as session:
        row = await session.scalar(
            select(Integration)
            .where(Integration.workspace_id == workspace_id, Integration.provider == provider)
            .with_for_update()
        )
        if row is None:
            row = Integration(workspace_id=workspace_id, provider=provider, created_at=now)
            session.add(row)
        row.base_url, row.settings, row.secret_encrypted = base_url, settings, encrypted
        row.secret_hint, row.status, row.error, row.updated_at = secrets.hint(secret), "ok", None, now
        await session.commit()
    log.info("integration.connected", workspace_id=str(workspace_id), provider=provider)
    return _view(provider, row)


async def disconnect(workspace_id: uuid.UUID, provider: Provider) -> None:
    async with autocommit() as db:
        await db.execute(
            delete(Integration).where(
                Integration.workspace_id == workspace_id, Integration.provider == provider
            )
        )
    log.info("integration.disconnected", workspace_id=str(workspace_id), provider=provider)


async def credentials(workspace_id: uuid.UUID, provider: str) -> Credentials | None:
    """The connection a send or a check uses; None when the provider is not connected (or its secret can no
    longer be decrypted: a removed key, logged)."""
    async with read_session() as session:
        row = await session.scalar(
            select(Integration).where(
                Integration.workspace_id == workspace_id, Integration.provider == provider
            )
        )
    if row is None:
        return None
    try:
        secret = secrets.decrypt(row.secret_encrypted)
    except (secrets.SecretUnreadable, secrets.SecretKeyMissing) as exc:
        log.error(
            "integration.secret_unreadable",
            workspace_id=str(workspace_id),
            provider=provider,
            error_type=type(exc).__name__,
        )
        return None
    return Credentials(
        provider=provider, base_url=row.base_url, secret=secret, settings=dict(row.settings or {})
    )


async def mark_status(workspace_id: uuid.UUID, provider: str, error: str | None) -> None:
    """`status: error` with the provider's reason (a 401 on a send or a check), or back to ok."""
    async with autocommit() as db:
        await db.execute(
            update(Integration)
            .where(Integration.workspace_id == workspace_id, Integration.provider == provider)
            .values(status="error" if error else "ok", error=error, updated_at=utcnow())
        )


async def check(workspace_id: uuid.UUID, provider: Provider) -> CheckResult:
    """One cheap authenticated GET to the provider; the connection's status follows the answer."""
    found = await credentials(workspace_id, provider)
    if found is None:
        raise NotFound(f"{provider} is not connected", code="integration_not_connected")
    checks = {"emailbison": emailbison.check, "gohighlevel": gohighlevel.check, "unipile": unipile.check}
    try:
        await checks[provider](found)
    except ProviderFailure as failure:
        await mark_status(workspace_id, provider, failure.message)
        log.info(
            "integration.check_failed", workspace_id=str(workspace_id), provider=provider, code=failure.code
        )
        return CheckResult(ok=False, error=failure.message)
    await mark_status(workspace_id, provider, None)
    return CheckResult(ok=True)
