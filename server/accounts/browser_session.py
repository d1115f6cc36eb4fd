"""The browser's session: the cookie's name and the one same-origin rule for cookie-authenticated requests.

Both the HTTP handlers (unsafe methods) and the websocket handshake use `is_cross_site`: a request the cookie
rides on must come from our own pages (CSRF, cross-site websocket hijacking).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

SESSION_COOKIE = "setterdesk_session"


def is_cross_site(headers: Mapping[str, str]) -> bool:
    """Whether a browser made this request for another site.

    Browsers name the page's origin (Origin, else Referer) and mark cross-site requests (Sec-Fetch-Site). A
    request that names another origin, or that the browser marks cross-site, is cross-site. Clients that send
    neither are not browsers acting for another site (and the SameSite=Lax cookie is not sent cross-site in
    the first place).
    """
    if headers.get("sec-fetch-site") == "cross-site":
        return True
    source = headers.get("origin") or headers.get("referer")
    return bool(source) and urlsplit(source).netloc != headers.get("host", "")
