"""The browser app (web/): its pages answer with index.html, its modules and styles live under /static.

Everything the page loads comes from this server (no CDN), so it works offline and on a closed network.
The HTML carries a Content-Security-Policy that allows only this origin's scripts, styles and sockets:
no inline script, no inline handler, no remote image (trackers), no plugin, no framing by other sites.
The email iframe is a sandboxed `srcdoc` document, which inherits this policy.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from litestar import MediaType, Request, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

from server.handlers.errors import envelope_error

# The project runs from a checkout (editable install): web/ sits beside server/.
WEB_DIR = Path(__file__).resolve().parents[2] / "web"
INDEX_HTML = WEB_DIR / "index.html"

# Client-side routes of the app: each answers with the same page, the app's router takes it from there.
APP_PAGES = [
    "/",
    "/signin",
    "/signup",
    "/inbox",
    "/insights",
    "/settings/integrations",
    "/settings/team",
    "/leads/{lead_id:str}",
]

_SAFE_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")

# Modules are revalidated on every load (ETag / Last-Modified): a new version never mixes with an old one.
_REVALIDATE = CacheControlHeader(no_cache=True)


def content_security_policy(host: str | None) -> str:
    """The page's policy. 'self' covers same-host websockets in current browsers; the explicit ws/wss
    sources cover the ones that still read CSP level 2."""
    sockets = f" ws://{host} wss://{host}" if host and _SAFE_HOST.match(host) else ""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            f"connect-src 'self'{sockets}",
            "frame-src 'self' about:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def page_headers(host: str | None) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(host),
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }


@get(APP_PAGES, include_in_schema=False, sync_to_thread=False)
def app_page(request: Request[Any, Any, Any], lead_id: str | None = None) -> Response[bytes]:
    """index.html for every page of the app (read per request: it is small, and edits show at once)."""
    if not INDEX_HTML.is_file():
        return envelope_error(503, "web_app_missing", f"the browser app is not installed at {WEB_DIR}")
    return Response(
        INDEX_HTML.read_bytes(),
        media_type=MediaType.HTML,
        headers=page_headers(request.headers.get("host")),
    )


def _static(folder: str) -> Any:
    return create_static_files_router(
        path=f"/static/{folder}",
        directories=[WEB_DIR / folder],
        name=f"static-{folder}",
        cache_control=_REVALIDATE,
        include_in_schema=False,
    )


# Only these folders are served: index.html is reachable solely through app_page, with its policy.
web_routes: list[Any] = [app_page, _static("js"), _static("css"), _static("img")]
