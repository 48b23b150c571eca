"""PDF rendering with a warm WeasyPrint that may fetch only the app's own static files."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from flask import current_app, render_template

import weasyprint  # imported once per process: the import is the slow part
from weasyprint.urls import URLFetcher


class StaticOnlyFetcher(URLFetcher):
    """Serve files under static/ to WeasyPrint; refuse every other URL (no network, no other files)."""

    def __init__(self, static_root: Path):
        super().__init__(allowed_protocols={"file"}, fail_on_errors=False)
        self.root = static_root.resolve()

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        target = Path(unquote(parsed.path)).resolve() if parsed.scheme == "file" else None
        if target is None or self.root not in target.parents:
            raise ValueError(f"refused to fetch {url}")
        return super().fetch(target.as_uri(), headers)


def html_to_pdf(html: str, pdf_variant: str | None = None) -> bytes:
    """PDF bytes of an HTML page (relative links resolve inside static/; nothing else is fetched)."""
    root = Path(current_app.static_folder)
    options = {"pdf_variant": pdf_variant} if pdf_variant else {}
    return weasyprint.HTML(string=html, base_url=root.resolve().as_uri() + "/",
                           url_fetcher=StaticOnlyFetcher(root)).write_pdf(**options)


def render_pdf(template: str, pdf_variant: str | None = None, **context) -> bytes:
    """Render a template to PDF bytes; pdf_variant="pdf/a-3b" for archived records."""
    return html_to_pdf(render_template(template, **context), pdf_variant)
