"""What a provider client needs to call a workspace's account: decrypted only for the call, never logged."""

from __future__ import annotations

import msgspec


class Credentials(msgspec.Struct, frozen=True):
    provider: str  # emailbison | gohighlevel | unipile
    base_url: str  # no trailing slash
    secret: str  # the API key or token
    settings: dict[str, str] = {}  # the non-secret fields (GoHighLevel location_id, Unipile account_id)

    def __repr__(self) -> str:  # never print the secret by accident
        return f"Credentials(provider={self.provider!r}, base_url={self.base_url!r})"
