"""Integration secrets, encrypted at rest (API.md, "Integrations").

MultiFernet over SETTERDESK_SECRET_KEY: comma-separated keys, the first encrypts and all decrypt, so a key is
rotated by putting the new one first and re-saving (or `rotate`). A key is a Fernet key (32 url-safe base64
bytes); any other non-empty string is stretched into one with SHA-256, so a passphrase works too. Secrets are
never logged and never returned: an answer carries a 4-character hint at most.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from server.core.errors import Conflict
from server.core.settings import get_settings

HINT_LENGTH = 4


class SecretKeyMissing(Conflict):
    code = "secret_key_missing"


class SecretUnreadable(Exception):
    """The stored secret was encrypted with a key no longer configured."""


def _fernet(key: str) -> Fernet:
    try:
        if len(base64.urlsafe_b64decode(key.encode())) == 32:
            return Fernet(key.encode())
    except (binascii.Error, ValueError):
        pass
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))


def _cipher() -> MultiFernet:
    keys = [key.strip() for key in (get_settings().secret_key or "").split(",") if key.strip()]
    if not keys:
        raise SecretKeyMissing("set SETTERDESK_SECRET_KEY to store provider secrets (API.md, Integrations)")
    return MultiFernet([_fernet(key) for key in keys])


def can_encrypt() -> bool:
    return bool((get_settings().secret_key or "").strip(" ,"))


def encrypt(secret: str) -> str:
    return _cipher().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _cipher().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("the secret was encrypted with a key that is not configured") from exc


def rotate(token: str) -> str:
    """The same secret, encrypted with the current first key."""
    return _cipher().rotate(token.encode()).decode()


def hint(secret: str) -> str:
    return secret[-HINT_LENGTH:] if len(secret) > HINT_LENGTH else ""  # never a whole (tiny) secret
