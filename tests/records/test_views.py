"""Records through the test client: filling with autosave, errors by the fields, signing, the hidden buttons
and the 403s, the PDF text and the verify page."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.records.models import APPROVED, DRAFT, SUBMITTED, Record
from tests.conftest import TEST_PASSWORD
from tests.printing.test_document_pdf import pdf_text
from tests.records_factories import approved_record, online_form


@pytest.fixture
def people(app, factories):
    site = factories.site(name="Malang")
    with app.test_request_context():
        online_form()
        db.session.commit()
    return {"tl": factories.user(["tl"], site=site, full_name="Dewi Lestari", position="Team Leader"),
            "spv": factories.user(["spv"], site=site, full_name="Sukron Azis", position="Supervisor Operasional"),
            "spv_far": factories.user(["spv"], site=factories.site(name="Medan")),
            "agent": factories.user(["agent"], site=site),
            "auditor": factories.user(["auditor"], site=site), "qmr": factories.user(["qmr"], site=site)}


def _new_record(client, site_id) -> int:
    response = client.post_form("/records/new/IN.OCC.TELK.F-04", {"site_id": site_id, "service_id": "",
                                                                   "period_start": "2026-11-02", "period_end": ""})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def _filled(tl_id: int, **over) -> dict:
    data = {"f-layanan_line": "147", "f-desk_control": str(tl_id), "f-jam_mulai": "09:00", "f-jam_selesai": "10:00",
            "f-sampling-rows": "1", "f-sampling-0-agent": str(tl_id), "f-sampling-0-jam": "09:12",
            "f-sampling-0-no_tiket": "=HYPERLINK(\"x\")", "f-sampling-0-jenis": "Keluhan", "f-sampling-0-salam": "yes",
            "f-sampling-0-verifikasi": "yes", "f-sampling-0-solusi": "yes", "f-sampling-0-nilai": "90",
            "f-rekomendasi": "", "f-recovery_plan": "no"}
    data.update(over)
    return data


def test_team_leader_fills_saves_and_submits(app, client, people):
    tl = people["tl"]
    client.login(tl.username)
    page = client.get("/records/")
    assert "IN.OCC.TELK.F-04" in page.get_data(as_text=True)  # the form is offered
    bad = client.post_form("/records/new/IN.OCC.TELK.F-04", {"site_id": tl.site_id, "period_start": "2026-11-05",
                                                             "period_end": "2026-11-01"})
    assert bad.status_code == 422 and "2026-11-05" in bad.get_data(as_text=True)  # kept, with the error by the field
    assert db.session.scalar(select(Record.id)) is None
    record_id = _new_record(client, tl.site_id)
    html = client.get(f"/records/{record_id}").get_data(as_text=True)
    assert 'hx-post="/records/%d/save"' % record_id in html and 'name="f-sampling-0-agent"' in html

    saved = client.post_form(f"/records/{record_id}/save", {"f-layanan_line": "147", "f-jam_mulai": "9 pagi"},
                             headers={"HX-Request": "true", "HX-Target": "save-status"})
    assert saved.status_code == 200 and 'id="save-status"' in saved.get_data(as_text=True)
    assert "<form" not in saved.get_data(as_text=True)  # only the status comes back: the form keeps its focus
    record = db.session.get(Record, record_id)
    db.session.refresh(record)
    assert record.data["jam_mulai"] == "9 pagi"  # kept as typed, checked at submission

    refused = client.post_form(f"/records/{record_id}/submit", _filled(tl.id, **{"f-sampling-0-nilai": "sembilan puluh",
                                                                                  "password": TEST_PASSWORD}))
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="f-sampling-0-nilai-err"' in body and 'value="sembilan puluh"' in body
    db.session.refresh(record)
    assert record.status == DRAFT and record.data["sampling"][0]["nilai"] == "sembilan puluh"

    wrong = client.post_form(f"/records/{record_id}/submit", _filled(tl.id, password="salah"))
    assert wrong.status_code == 422 and 'id="password-err"' in wrong.get_data(as_text=True)
    done = client.post_form(f"/records/{record_id}/submit", _filled(tl.id, password=TEST_PASSWORD))
    assert done.status_code == 303
    db.session.refresh(record)
    assert record.status == SUBMITTED


def test_add_row_keeps_what_was_typed(app, client, people):
    tl = people["tl"]
    client.login(tl.username)
    record_id = _new_record(client, tl.site_id)
    response = client.post_form(f"/records/{record_id}/save", _filled(tl.id, add_row="sampling"))
    assert response.status_code == 303 and "add=sampling" in response.headers["Location"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="f-sampling-1-agent"' in html and 'value="09:12"' in html


def test_approve_button_only_for_the_approver_and_403s(app, client, make_client, people):
    tl, spv = people["tl"], people["spv"]
    with app.test_request_context():
        from portal.records import services

        record = services.create("IN.OCC.TELK.F-04", tl, tl.site_id, None, date(2026, 11, 2))
        from tests.records_factories import f04_data

        services.submit(record, tl, TEST_PASSWORD, data=f04_data(tl.id))
        db.session.commit()
        record_id = record.id
    client.login(tl.username)
    assert 'data-testid="approve-record"' not in client.get(f"/records/{record_id}").get_data(as_text=True)
    assert client.post_form(f"/records/{record_id}/approve", {"approve-password": TEST_PASSWORD}).status_code == 403

    agent = make_client()
    agent.login(people["agent"].username)
    assert agent.get(f"/records/{record_id}").status_code == 403
    assert agent.get("/records/").status_code == 403
    far = make_client()
    far.login(people["spv_far"].username)
    assert far.get(f"/records/{record_id}").status_code == 403  # another site's record
    assert str(record_id) not in far.get("/records/").get_data(as_text=True).split("records-table")[1].split("</table>")[0]

    boss = make_client()
    boss.login(spv.username)
    html = boss.get(f"/records/{record_id}").get_data(as_text=True)
    assert 'data-testid="approve-record"' in html
    assert boss.post_form(f"/records/{record_id}/approve", {"approve-password": "salah"}).status_code == 422
    assert boss.post_form(f"/records/{record_id}/approve", {"approve-password": TEST_PASSWORD}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Record, record_id).status == APPROVED
    assert "Sukron Azis" in boss.get(f"/records/{record_id}").get_data(as_text=True)


def test_record_pdf_and_verify_after_amendment(app, client, make_client, people):
    tl, spv = people["tl"], people["spv"]
    with app.test_request_context():
        record = approved_record(tl, spv)
        db.session.commit()
        record_id, number = record.id, record.number
    client.login(tl.username)
    response = client.get(f"/records/{record_id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for expected in ("IN.OCC.TELK.F-04", "Real Monitoring Call Handling", "Hal. 1 dari", number, "Dewi Lestari",
                     "Sukron Azis", "Supervisor Operasional", "Team Leader", "SALINAN TIDAK TERKENDALI", "Malang"):
        assert expected in text, expected
    assert re.search(r"Revisi\s+00", text)
    token = response.headers["X-Printout-Token"]
    phone = make_client()
    assert 'data-valid="yes"' in phone.get(f"/verify/{token}").get_data(as_text=True)
    assert client.post_form(f"/records/{record_id}/amend", {"amend-reason": "Salah ketik"}).status_code == 303
    html = phone.get(f"/verify/{token}").get_data(as_text=True)
    assert 'data-valid="no"' in html and "amandemen" in html.lower()
    archived = client.get(f"/records/{record_id}/versions/1.pdf")
    assert archived.status_code == 200 and archived.data.startswith(b"%PDF-")


def test_a_team_leader_is_offered_and_allowed_only_their_own_services(app, client, factories, people):
    mine, other = factories.service(code="147", name="147"), factories.service(code="108", name="108")
    tl = factories.user(["tl"], site=people["tl"].site, services=[mine])
    client.login(tl.username)
    page = client.get("/records/new/IN.OCC.TELK.F-04").get_data(as_text=True)
    assert f'value="{mine.id}"' in page and f'value="{other.id}"' not in page
    refused = client.post_form("/records/new/IN.OCC.TELK.F-04", {"site_id": tl.site_id, "service_id": other.id,
                                                                  "period_start": "2026-11-02", "period_end": ""})
    assert refused.status_code == 422 and db.session.scalar(select(Record.id)) is None
    ok = client.post_form("/records/new/IN.OCC.TELK.F-04", {"site_id": tl.site_id, "service_id": mine.id,
                                                             "period_start": "2026-11-02", "period_end": ""})
    assert ok.status_code == 303
    with app.test_request_context():
        from portal.core.service import ServiceError
        from portal.records import services as record_services

        with pytest.raises(ServiceError) as refused_in_service:
            record_services.create("IN.OCC.TELK.F-04", tl, tl.site_id, other.id, date(2026, 11, 2))
        assert refused_in_service.value.field == "service_id"


def test_the_records_list_shows_only_records_the_user_may_open(app, client, factories, people):
    """The list uses the detail page's rule: no author, period or form of a record that would answer 403."""
    svc = factories.service(code="147", name="147")
    tl = factories.user(["tl"], site=people["tl"].site, services=[svc])
    hr = factories.user(["hr"], site=people["tl"].site)  # records.read at the site, no services
    with app.test_request_context():
        from portal.records import services as record_services

        with_service = record_services.create("IN.OCC.TELK.F-04", tl, tl.site_id, svc.id, date(2026, 11, 2))
        without = record_services.create("IN.OCC.TELK.F-04", tl, tl.site_id, None, date(2026, 11, 3))
        db.session.commit()
        ids = (with_service.id, with_service.number, without.id, without.number)
    client.login(hr.username)
    listed = client.get("/records/").get_data(as_text=True)
    assert ids[1] not in listed and client.get(f"/records/{ids[0]}").status_code == 403
    assert ids[3] in listed and client.get(f"/records/{ids[2]}").status_code == 200


def test_the_records_lists_shared_top_keeps_each_readers_people_and_filters(app, client, factories, people):
    """Above the results the list is a shared fragment (the same for everyone with the same permissions, site and
    filters); the "Filled by" options are still each reader's scope, the chosen one selected, names escaped."""
    far = people["spv_far"]
    odd = factories.user(["tl"], site=people["tl"].site, full_name="Ana <b>& Co</b>")
    with app.test_request_context():
        from portal.records import services as record_services

        record_services.create("IN.OCC.TELK.F-04", odd, odd.site_id, None, date(2026, 11, 2))
        record_services.create("IN.OCC.TELK.F-04", far, far.site_id, None, date(2026, 11, 3))
        db.session.commit()
    client.login(people["spv"].username)
    for _ in range(2):  # the second answer comes from the shared fragment
        page = client.get(f"/records/?person={odd.id}").get_data(as_text=True)
        assert f'<option value="{odd.id}" selected>Ana &lt;b&gt;&amp; Co&lt;/b&gt;</option>' in page
        assert far.full_name not in page.split('id="f-person"')[1].split("</select>")[0]
    client.logout()
    client.login(people["qmr"].username)  # every site: both authors, nobody selected
    people_filter = client.get("/records/").get_data(as_text=True).split('id="f-person"')[1].split("</select>")[0]
    assert f'<option value="{far.id}">' in people_filter and f'<option value="{odd.id}">' in people_filter


def _records_token() -> int:
    from sqlalchemy import text

    return db.session.execute(text("SELECT token FROM cache_generation WHERE name = 'records'")).scalar_one()


def test_the_records_lists_results_are_kept_until_a_record_a_name_or_a_form_title_changes(app, client, people):
    """The list's results (count, rows, pager) are a shared fragment of the "records" area (core/fragments.py): a new
    record, a status, a legal hold and an author's name changed by statements typed outside the portal, a deleted record
    and a form's new title (the documents area) each show on the next visit; an autosave (content only) leaves the
    area's token as it was."""
    from sqlalchemy import text

    tl = people["tl"]
    client.login(tl.username)

    def listed(path: str = "/records/") -> str:
        return client.get(path).get_data(as_text=True).split('id="record-results"')[1]

    def count(path: str = "/records/") -> int:
        shown = re.search(r'data-testid="records-count">([^<]*)<', listed(path)).group(1)
        return int(re.sub(r"\D", "", shown))

    first = _new_record(client, tl.site_id)
    assert count() == 1 and count() == 1 and count("/records/?status=draft") == 1
    assert count("/records/?status=submitted") == 0 and "Dewi Lestari" in listed()
    before = _records_token()
    saved = client.post_form(f"/records/{first}/save", {"f-rekomendasi": "disimpan otomatis"},
                             headers={"HX-Request": "true", "HX-Target": "save-status"})
    assert saved.status_code == 200 and _records_token() == before
    db.session.execute(text("UPDATE record SET status = 'submitted' WHERE id = :id"), {"id": first})
    db.session.commit()
    assert _records_token() != before
    assert count("/records/?status=submitted") == 1 and count("/records/?status=draft") == 0
    db.session.execute(text("UPDATE record SET legal_hold = :held WHERE id = :id"), {"held": True, "id": first})
    db.session.execute(text("UPDATE user_account SET full_name = 'Dewi Lestari Putri' WHERE id = :id"), {"id": tl.id})
    db.session.commit()
    html = listed()
    assert "Dewi Lestari Putri" in html and "penahanan hukum" in html
    db.session.execute(text("UPDATE document SET title = 'Formulir yang baru dinamai' WHERE code = 'IN.OCC.TELK.F-04'"))
    db.session.commit()
    assert "Formulir yang baru dinamai" in listed()
    # htmx asks for the results alone (the filters' form): the same fragment, without the page around it.
    partial = client.get("/records/?status=submitted", headers={"HX-Request": "true", "HX-Target": "record-results"})
    assert 'data-testid="records-count"' in partial.get_data(as_text=True) and "<html" not in partial.get_data(as_text=True)
    second = _new_record(client, tl.site_id)
    assert count() == 2 and count("/records/?status=draft") == 1
    db.session.execute(text("DELETE FROM record WHERE id = :id"), {"id": second})
    db.session.commit()
    assert count() == 1 and count("/records/?status=draft") == 0


def test_a_far_period_end_is_refused_with_the_input_kept_and_never_breaks_a_page(app, client, people):
    tl = people["tl"]
    client.login(tl.username)
    refused = client.post_form("/records/new/IN.OCC.TELK.F-04", {"site_id": tl.site_id, "service_id": "",
                                                                  "period_start": "2026-11-02", "period_end": "9999-12-31"})
    assert refused.status_code == 422 and "9999-12-31" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Record.id)) is None
    from portal.records import retention

    assert retention.disposal_date(retention.parse("2 Tahun"), date(9999, 12, 31), None) is None  # stored ones too


def test_a_save_from_an_out_of_date_page_is_refused_not_lost(app, client, people):
    """Two windows on one draft: the second window's save on the old version answers 409 and changes nothing."""
    import re

    tl = people["tl"]
    client.login(tl.username)
    record_id = _new_record(client, tl.site_id)
    page = client.get(f"/records/{record_id}").get_data(as_text=True)
    seen = int(re.search(r'name="row_version" value="(\d+)"', page).group(1))
    htmx = {"HX-Request": "true", "HX-Target": "save-status"}
    first = client.post_form(f"/records/{record_id}/save", {"row_version": seen, "f-rekomendasi": "dari jendela pertama"},
                             headers=htmx)
    assert first.status_code == 200
    newer = int(re.search(r'name="row_version" value="(\d+)"', first.get_data(as_text=True)).group(1))
    assert newer > seen  # the page now carries the new version
    second = client.post_form(f"/records/{record_id}/save", {"row_version": seen, "f-rekomendasi": "dari jendela kedua"},
                              headers=htmx)
    assert second.status_code == 409 and "jendela lain" in second.get_data(as_text=True)
    assert f'value="{seen}"' in second.get_data(as_text=True)  # still the old version: later saves are refused too
    db.session.expire_all()
    assert db.session.get(Record, record_id).data["rekomendasi"] == "dari jendela pertama"


def test_list_rows_escape_and_show_version_period_and_hold(app):
    """The records list's rows are built in Python (records.labels.list_rows): the same markup, escaped."""
    from datetime import date as day

    from portal.records.labels import list_rows, status_labels

    with app.test_request_context():
        html = str(list_rows([(7, 2, "IN.OCC.TELK.F-04", "<script>x</script>", day(2026, 11, 2), day(2026, 11, 6),
                               "Bandung & Co", None, "Tia <TL>", "approved", True),
                              (8, 1, "IN.OCC.TELK.F-05", "Analisa", day(2026, 11, 3), day(2026, 11, 3),
                               "Bandung", "147", "Tia", "draft", False)], status_labels(), "/records/"))
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>" not in html and "Tia &lt;TL&gt;" in html
    assert "Bandung &amp; Co" in html and '<a href="/records/7">' in html
    assert '<span class="muted">v2</span>' in html and html.count("v1") == 0
    assert "02 November 2026 – 06 November 2026" in html and "03 November 2026 –" not in html
    assert html.count("badge-warn") == 1 and "—" in html and 'data-status="approved"' in html


def test_list_rows_name_an_author_missing_from_the_people_filter(app, people):
    """The rows' author names come from the "Filled by" filter's people; an author not among them (a record written
    between the two statements) is looked up, never shown blank."""
    from collections import namedtuple

    from portal.records.views import _named_rows

    Row = namedtuple("Row", "id version form_code form_title period_start period_end site_id service_id created_by_id "
                            "status legal_hold")
    tl = people["tl"]
    with app.test_request_context():
        row = Row(7, 1, "IN.OCC.TELK.F-04", "Form", date(2026, 11, 2), date(2026, 11, 2), tl.site_id, None, tl.id,
                  "draft", False)
        named = _named_rows([row], [])
        assert named[0][6] == tl.site.name and named[0][7] is None and named[0][8] == "Dewi Lestari"
        assert _named_rows([row], [(tl.id, "Dari daftar")])[0][8] == "Dari daftar"


def test_an_autosave_reads_and_parses_without_the_write_lock(fresh_app, monkeypatch):
    """SQLite: a save post reads the session, the record and the form in a reading transaction (core.unit.reads_first):
    another worker can write meanwhile; only a save that changes something takes the lock, and writes it."""
    import sqlite3

    from sqlalchemy import func

    from portal.auth import services as auth_services
    from portal.core.audit import AuditEvent
    from portal.core.db import reading_session
    from portal.records import schema as schemas
    from portal.records import services as record_services

    app = fresh_app("autosave_lock")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL writes take row locks, not a database lock")
    with app.test_request_context():
        site = auth_services.save_site(None, {"code": "MLG", "name": "Malang", "timezone": "Asia/Jakarta"})
        db.session.flush()
        tl = auth_services.create_user({"username": "tl1", "full_name": "Dewi Lestari", "site_id": site.id,
                                        "roles": ["tl"]}, TEST_PASSWORD)
        tl.must_change_password = False
        online_form()
        record_id = record_services.create("IN.OCC.TELK.F-04", tl, site.id, None, date(2026, 11, 2)).id
        db.session.commit()
        db.session.remove()
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    real, seen = schemas.data_from_form, []

    def parsing(schema, form):
        other = sqlite3.connect(path, timeout=0)  # another worker that wants to write right now
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            seen.append("could write")
        except sqlite3.OperationalError as exc:
            seen.append(str(exc))
        finally:
            other.close()
        return real(schema, form)

    monkeypatch.setattr(schemas, "data_from_form", parsing)
    client = app.test_client()
    assert client.login("tl1").status_code == 303
    htmx = {"HX-Request": "true", "HX-Target": "save-status"}
    for text in ("pertama", "pertama", "kedua"):  # a change, the same again (nothing to write), another change
        answer = client.post_form(f"/records/{record_id}/save", {"f-rekomendasi": text}, headers=htmx,
                                  token_from=f"/records/{record_id}")
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert seen == ["could write"] * 3
    with app.app_context(), reading_session() as session:
        assert session.get(Record, record_id).data["rekomendasi"] == "kedua"
        assert session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "record.draft_saved", AuditEvent.object_id == str(record_id))) == 2


def test_an_autosave_reads_the_record_again_when_it_changed_before_the_write_lock(fresh_app, monkeypatch):
    """SQLite: what an autosave read before taking the write lock is kept only while the record's version is unchanged
    (records.views.save): another window's save made in between is read again and saved over, a submission made in
    between refuses the save (403) and leaves the submitted record as it was — never a 500."""
    import sqlite3

    from portal.auth import services as auth_services
    from portal.core.db import reading_session
    from portal.records import schema as schemas
    from portal.records import services as record_services

    app = fresh_app("autosave_changed")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL requests write from their start (no reading phase)")
    with app.test_request_context():
        site = auth_services.save_site(None, {"code": "MLG", "name": "Malang", "timezone": "Asia/Jakarta"})
        db.session.flush()
        tl = auth_services.create_user({"username": "tl1", "full_name": "Dewi Lestari", "site_id": site.id,
                                        "roles": ["tl"]}, TEST_PASSWORD)
        tl.must_change_password = False
        online_form()
        record_id = record_services.create("IN.OCC.TELK.F-04", tl, site.id, None, date(2026, 11, 2)).id
        db.session.commit()
        db.session.remove()
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    real, meanwhile = schemas.data_from_form, []

    def parsing(schema, form):  # while this save reads, another worker commits a change to the record
        if meanwhile:
            other = sqlite3.connect(path)
            other.execute(meanwhile.pop(), (record_id,))
            other.commit()
            other.close()
        return real(schema, form)

    monkeypatch.setattr(schemas, "data_from_form", parsing)
    client = app.test_client()
    assert client.login("tl1").status_code == 303
    htmx = {"HX-Request": "true", "HX-Target": "save-status"}

    def save(text):
        return client.post_form(f"/records/{record_id}/save", {"f-rekomendasi": text}, headers=htmx,
                                token_from=f"/records/{record_id}")

    def stored():
        with app.app_context(), reading_session() as session:
            record = session.get(Record, record_id)
            return record.status, record.row_version, record.data.get("rekomendasi")

    assert save("pertama").status_code == 200
    _status, version, _text = stored()
    meanwhile.append("UPDATE record SET row_version = row_version + 1, "
                     "data_json = json_set(data_json, '$.rekomendasi', 'jendela lain') WHERE id = ?")
    answer = save("kedua")
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert stored() == ("draft", version + 2, "kedua")  # the other window's version, then this save's
    meanwhile.append("UPDATE record SET row_version = row_version + 1, status = 'submitted' WHERE id = ?")
    assert save("ketiga").status_code == 403
    assert stored() == ("submitted", version + 3, "kedua")
