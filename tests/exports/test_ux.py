"""What an auditor meets on the export pages: a count that follows the filters, the filters repeated on the job
page, a history of past exports with their hashes, and a progress bar styled by the stylesheet (no inline style)."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from portal.extensions import db
from portal.records import services
from tests.records_factories import approved_record, online_form


@pytest.fixture
def records(app, factories):
    site = factories.site(name="Malang")
    tl = factories.user(["tl"], site=site, full_name="Dewi Lestari")
    spv = factories.user(["spv"], site=site)
    with app.test_request_context():
        online_form()
        approved = approved_record(tl, spv)
        services.create("IN.OCC.TELK.F-04", tl, tl.site_id, None, approved.period_start)
        db.session.commit()
    return {"site": site, "tl": tl}


HX = {"HX-Request": "true", "HX-Target": "export-count"}


def test_the_count_follows_the_chosen_filters(client, factories, records):
    client.login(factories.user(["auditor"]).username)
    page = client.get("/records/export/new").get_data(as_text=True)
    assert 'hx-target="#export-count"' in page and 'data-count="2"' in page
    approved = client.get("/records/export/new?status=approved&site=", headers=HX)
    body = approved.get_data(as_text=True)
    assert approved.status_code == 200 and "<form" not in body and 'id="export-count"' in body
    assert 'data-count="1"' in body and "1 rekaman cocok dengan filter yang dipilih." in body
    assert 'data-count="0"' in client.get("/records/export/new?form=IN.OCC.TELK.F-99", headers=HX).get_data(as_text=True)


def test_the_job_page_repeats_the_filters_used(client, factories, records):
    client.login(factories.user(["auditor"]).username)
    started = client.post_form("/records/export/new", {"site": records["site"].id, "status": "approved",
                                                       "from": "2026-11-01", "kind": "xlsx"})
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    filters = page[page.index('data-testid="export-filters"'):]
    assert "Lokasi: <strong>Malang</strong>" in filters
    assert "Status: <strong>Disetujui (terkunci)</strong>" in filters
    assert "01 November 2026</strong>" in filters


def test_the_history_lists_past_exports_with_their_hashes(client, make_client, factories, records):
    auditor = factories.user(["auditor"])
    client.login(auditor.username)
    started = client.post_form("/records/export/new", {"status": "approved", "kind": "xlsx"})
    data = client.get(started.headers["Location"] + "/download").data
    page = client.get("/records/export/new").get_data(as_text=True)
    history = page[page.index('data-testid="export-history"'):]
    assert hashlib.sha256(data).hexdigest() in history
    assert "Status: Disetujui (terkunci)" in history and 'data-status="done"' in history
    other = make_client()
    other.login(factories.user(["auditor"]).username)
    assert 'data-testid="export-history"' not in other.get("/records/export/new").get_data(as_text=True)


def test_the_progress_bar_is_styled_by_the_stylesheet(client, factories, records):
    client.login(factories.user(["auditor"]).username)
    started = client.post_form("/records/export/new", {"kind": "xlsx"})
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert re.search(r'<progress class="progress" max="100" value="100"', page) and "100%" in page
    assert not re.search(r"\sstyle=", page)  # the CSP forbids inline style
    css = (Path(__file__).parents[2] / "static" / "css" / "portal.css").read_text()
    assert "progress.progress::-webkit-progress-value" in css and "progress.progress::-moz-progress-bar" in css
