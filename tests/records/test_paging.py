"""The records list and the register page by key: next and previous keep the filters and walk every row once."""
from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from portal.extensions import db
from portal.records.models import Record


def _links(html: str) -> dict[str, str]:
    return {rel: unescape(href) for rel, href in re.findall(r'rel="(prev|next)" href="([^"]+)"', html)}


def _numbers(html: str) -> list[str]:
    return re.findall(r"<strong>(R-\d+)</strong>", html)


def test_records_list_pages_by_key_forward_and_back_keeping_filters(fresh_app):
    from portal.cli import load_demo
    from tests.bench.bench_records import build_records

    app = fresh_app("paging", WTF_CSRF_ENABLED=False)
    with app.app_context():
        load_demo()
        db.session.commit()
    build_records(app, 130)
    with app.app_context():
        expected = [r.number for r in db.session.scalars(
            select(Record).where(Record.form_code == "IN.OCC.TELK.F-04").order_by(Record.period_start.desc(), Record.id.desc()))]
    client = app.test_client()
    assert client.post("/login", data={"username": "qmr", "password": "portal-demo"}).status_code in (302, 303)
    url, pages, seen = "/records/?form=IN.OCC.TELK.F-04", [], []
    while url:
        html = client.get(url).get_data(as_text=True)
        pages.append((url, _numbers(html)))
        seen += _numbers(html)
        links = _links(html)
        if len(pages) == 1:
            assert "prev" not in links and "data-testid=\"records-count\"" in html
        url = links.get("next")
        if url:
            assert "form=IN.OCC.TELK.F-04" in url  # the filter stays
    assert seen == expected and len(pages) == 3 and len(pages[0][1]) == 50
    # Back from the last page: the same pages in reverse.
    html = client.get(pages[-1][0]).get_data(as_text=True)
    back = _links(html)["prev"]
    assert "form=IN.OCC.TELK.F-04" in back
    assert _numbers(client.get(back).get_data(as_text=True)) == pages[1][1]
    # A key that does not parse is the first page, never an error.
    for bad in ("x", "2025-13-01~1", "2025-01-01~99999999999999999999", "~", "a~b~c"):
        response = client.get(f"/records/?after={bad}")
        assert response.status_code == 200
    # More than the count cap: said so, not counted to the end.
    from portal.records import views

    views_cap, views.COUNT_CAP = views.COUNT_CAP, 100
    try:
        assert "Lebih dari 100 rekaman" in client.get("/records/?form=IN.OCC.TELK.F-04").get_data(as_text=True)
    finally:
        views.COUNT_CAP = views_cap


def test_register_pages_forward_and_back(fresh_app):
    from portal.cli import load_demo
    from tests.bench.bench_documents import build

    app = fresh_app("regpaging", WTF_CSRF_ENABLED=False)
    with app.app_context():
        load_demo()
        db.session.commit()
    build(app, 260, 1)  # types cycle P, W, F, S: 65 procedures and the demo's
    client = app.test_client()
    client.post("/login", data={"username": "agent", "password": "portal-demo"})
    first = client.get("/documents/?type=P").get_data(as_text=True)
    codes1 = re.findall(r'href="/documents/([A-Z0-9.\-]+)"', first)
    nxt = _links(first)["next"]
    assert "type=P" in nxt and "prev" not in _links(first)
    second = client.get(nxt).get_data(as_text=True)
    back = _links(second)["prev"]
    assert "type=P" in back
    assert re.findall(r'href="/documents/([A-Z0-9.\-]+)"', client.get(back).get_data(as_text=True)) == codes1
