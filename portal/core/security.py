"""Security headers on every response, with a Content-Security-Policy that allows no inline code."""
from __future__ import annotations

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    from flask import current_app, request

    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint != "static" and "Cache-Control" not in headers:
        # Pages hold personal data: never keep them in shared caches or the back-button cache after logout.
        headers["Cache-Control"] = "no-store"
    return response


class TrustedProxies:
    """WSGI middleware: believe X-Forwarded-For/-Proto only from the PROXY_COUNT reverse proxies in front of the
    portal (0, the default: the portal is reached directly and those headers are ignored, so no client can choose
    its own address). With a proxy in front and PROXY_COUNT=1, request.remote_addr is the client's address the proxy
    saw (the last X-Forwarded-For value), so the per-address sign-in lock and the audit trail see each client instead
    of the proxy. The setting is read on each request."""

    def __init__(self, app):
        self.app = app
        self.wsgi_app = app.wsgi_app
        self._fixes: dict[int, object] = {}

    def __call__(self, environ, start_response):
        count = int(self.app.config.get("PROXY_COUNT") or 0)
        if count <= 0:
            return self.wsgi_app(environ, start_response)
        fix = self._fixes.get(count)
        if fix is None:
            from werkzeug.middleware.proxy_fix import ProxyFix

            fix = self._fixes[count] = ProxyFix(self.wsgi_app, x_for=count, x_proto=count, x_host=0, x_port=0, x_prefix=0)
        return fix(environ, start_response)
