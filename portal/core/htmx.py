"""One template per page: htmx gets the named block, everything else the whole page."""
from __future__ import annotations

from flask import make_response, render_template, request
from jinja2_fragments.flask import render_block


def wants_fragment() -> bool:
    """True for an htmx request that swaps part of a page (not boosted, not a history restore)."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(template: str, block: str = "content", status: int = 200, **context):
    """Render a page, or only its block for an htmx request; always varies on HX-Request."""
    if wants_fragment():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def hx_redirect(url: str):
    """Redirect that works for htmx (HX-Location) and plain requests (303)."""
    from flask import redirect

    if request.htmx and not request.htmx.boosted:
        response = make_response("", 204)
        response.headers["HX-Location"] = url
        return response
    return redirect(url, 303)


def redirect_for_htmx(response):
    """after_request: a redirect answering an htmx request becomes HX-Redirect (a full page load)."""
    if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted") and response.status_code in (301, 302, 303, 307, 308):
        location = response.headers.get("Location")
        response.status_code = 200
        response.headers["HX-Redirect"] = location
        response.set_data(b"")
    return response
