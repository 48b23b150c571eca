"""Shared page fragments (core/fragments.py): served again only while the data they show is unchanged, never with
another person's token, reading card or buttons."""
from __future__ import annotations

import re

from sqlalchemy import select, text

from portal.core import fragments
from portal.documents import services
from portal.documents.models import Document
from portal.extensions import db
from tests.core.test_page_walk import StatementCounter
from tests.documents_factories import effective_document

CODE = "IN.OCC.TELK.P-10"
TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def _doc(app, **kw) -> str:
    with app.test_request_context():
        doc = effective_document(code=CODE, **kw)
        db.session.commit()
        return doc.code


def _get(client, path: str, **kw) -> tuple[str, int]:
    counter = StatementCounter(db.engine)
    try:
        response = client.get(path, **kw)
    finally:
        counter.close()
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True), counter.count


def _token(app) -> int:
    with app.app_context():
        return fragments.tokens()["documents"]


def test_the_sop_page_is_rendered_once_and_again_after_a_change(app, client, factories):
    fragments.clear()
    agent = factories.user(["agent"])
    _doc(app)
    client.login(agent.username)
    first, first_statements = _get(client, f"/documents/{CODE}")
    again, again_statements = _get(client, f"/documents/{CODE}")
    assert again_statements < first_statements  # the paper came from the cache: no document, links or related
    assert again.replace(TOKEN_RE.findall(again)[0], "") == first.replace(TOKEN_RE.findall(first)[0], "")
    with app.test_request_context():
        doc = db.session.scalar(select(Document).where(Document.code == CODE))
        services.update_document(doc, {"title": "Real Time Management Baru"}, reason="judul")
        db.session.commit()
    changed, _ = _get(client, f"/documents/{CODE}")
    assert "Real Time Management Baru" in changed
    assert "Real Time Management Baru" in _get(client, "/documents/")[0]


def test_a_change_made_outside_the_portal_shows_at_once(app, client, factories):
    """The triggers, not the portal's code, replace the token: an UPDATE typed in psql is seen on the next request."""
    fragments.clear()
    agent = factories.user(["agent"])
    _doc(app)
    client.login(agent.username)
    assert "Diubah langsung di basis data" not in _get(client, f"/documents/{CODE}")[0]
    before = _token(app)
    db.session.execute(text("UPDATE document SET title = 'Diubah langsung di basis data' WHERE code = :c"), {"c": CODE})
    db.session.commit()
    assert _token(app) != before
    assert "Diubah langsung di basis data" in _get(client, f"/documents/{CODE}")[0]
    assert "Diubah langsung di basis data" in _get(client, "/documents/")[0]
    # Content changed behind the portal's back: the page shows what the database holds (the integrity check of
    # signed content then warns: tests/documents).
    db.session.execute(text("UPDATE revision SET sections_json = :s WHERE document_id = "
                            "(SELECT id FROM document WHERE code = :c)"),
                       {"s": '[{"number": "1", "title": "Tujuan", "body": "Teks yang diganti tanpa revisi"}]', "c": CODE})
    db.session.commit()
    page = _get(client, f"/documents/{CODE}")[0]
    assert "Teks yang diganti tanpa revisi" in page


def test_a_rolled_back_change_leaves_no_token_behind(app):
    fragments.clear()
    _doc(app)
    before = _token(app)
    nested = db.session.begin_nested()
    db.session.execute(text("UPDATE document SET title = 'Tidak jadi' WHERE code = :c"), {"c": CODE})
    with app.app_context():
        during = db.session.execute(fragments._TOKENS).all()
    nested.rollback()
    assert dict(during)["documents"] != before
    assert _token(app) == before
    db.session.execute(text("UPDATE document SET title = 'Jadi' WHERE code = :c"), {"c": CODE})
    assert _token(app) not in (before, dict(during)["documents"])  # a fresh random token, never the lost one


def test_each_reader_gets_their_own_token_and_reading_card(app, client, make_client, factories):
    fragments.clear()
    first, second = factories.user(["agent"]), factories.user(["agent"])
    _doc(app)
    client.login(first.username)
    other = make_client()
    other.login(second.username)
    page = _get(client, f"/documents/{CODE}")[0]
    assert 'data-testid="acknowledge-button"' in page
    assert client.post_form(f"/documents/{CODE}/acknowledge").status_code == 303
    mine = _get(client, f"/documents/{CODE}")[0]
    theirs = _get(other, f"/documents/{CODE}")[0]
    assert 'data-testid="acknowledge-button"' not in mine and "ack-done" in mine
    assert 'data-testid="acknowledge-button"' in theirs and "ack-done" not in theirs
    for html in (mine, theirs):
        assert fragments.CSRF_PLACEHOLDER not in html
    my_tokens, their_tokens = set(TOKEN_RE.findall(mine)), set(TOKEN_RE.findall(theirs))
    assert len(my_tokens) == 1 and len(their_tokens) == 1 and my_tokens != their_tokens
    # The second reader's button works with the token the cached page gave them.
    answer = other.post(f"/documents/{CODE}/acknowledge", data={"csrf_token": their_tokens.pop()})
    assert answer.status_code == 303


def test_buttons_follow_the_readers_permissions_and_language(app, client, make_client, factories):
    fragments.clear()
    dc, agent = factories.user(["dc"]), factories.user(["agent"])
    _doc(app)
    client.login(dc.username)
    assert 'data-testid="new-revision"' in _get(client, f"/documents/{CODE}")[0]
    reader = make_client()
    reader.login(agent.username)
    page = _get(reader, f"/documents/{CODE}")[0]
    assert 'data-testid="new-revision"' not in page and "Dokumen" in page
    assert 'data-testid="new-document"' in _get(client, "/documents/")[0]
    assert 'data-testid="new-document"' not in _get(reader, "/documents/")[0]
    reader.post_form("/language", {"locale": "en"})
    english = _get(reader, f"/documents/{CODE}")[0]
    assert "Documents" in english and "Change log" in english


def test_register_filters_and_htmx_results_are_kept_apart(app, client, factories):
    fragments.clear()
    agent = factories.user(["agent"])
    _doc(app)
    client.login(agent.username)
    assert CODE in _get(client, "/documents/")[0]
    assert CODE not in _get(client, "/documents/?type=W")[0]
    results = _get(client, "/documents/?type=P", headers={"HX-Request": "true", "HX-Target": "document-results"})[0]
    assert CODE in results and "<form" not in results and "<html" not in results
    whole = _get(client, "/documents/?type=P")[0]
    assert "<html" in whole and "<form" in whole


def test_the_cache_is_bounded(app):
    store = fragments._Store()
    for i in range(100):
        store.put(("k", i), fragments.Entry("x" * 1000), limit=20_000)
    assert store.bytes <= 20_000 and len(store.entries) < 100 and ("k", 99) in store.entries
    store.put(("big",), fragments.Entry("x" * 10_000), limit=20_000)  # larger than a quarter: not kept
    assert ("big",) not in store.entries


def test_flashed_messages_are_the_readers_own_and_shown_once(app, client, make_client, factories):
    """page_header shows flashed messages: in a shared fragment they are a slot filled per reader."""
    fragments.clear()
    first, second = factories.user(["agent"]), factories.user(["agent"])
    _doc(app)
    client.login(first.username)
    other = make_client()
    other.login(second.username)
    _get(other, f"/documents/{CODE}")  # the body is in the cache before the first reader acknowledges
    assert client.post_form(f"/documents/{CODE}/acknowledge").status_code == 303
    page = _get(client, f"/documents/{CODE}")[0]
    assert page.count("flash flash-success") == 1 and "Terima kasih" in page
    assert fragments.FLASH_PLACEHOLDER not in page
    assert "Terima kasih" not in _get(client, f"/documents/{CODE}")[0]  # shown once
    theirs = _get(other, f"/documents/{CODE}")[0]
    assert "Terima kasih" not in theirs and fragments.FLASH_PLACEHOLDER not in theirs
    assert "Terima kasih" not in _get(other, "/documents/")[0]
