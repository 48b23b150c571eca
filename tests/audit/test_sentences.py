"""The audit trail reads as sentences: objects by their codes with links, values by their labels, filters in
Indonesian, found by object code, person, action and date; the Excel file keeps the raw codes beside the sentence."""
from __future__ import annotations

import io
import re
from datetime import date

from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import event

from portal.core import audit, modules
from portal.extensions import db
from tests.records_factories import approved_record, online_form


def _record(app, factories):
    tl = factories.user(["tl"], username="dewi", full_name="Dewi Lestari")
    spv = factories.user(["spv"])
    with app.test_request_context():
        online_form()
        record = approved_record(tl, spv, period=date(2026, 11, 2))
        db.session.commit()
    return record, tl


def test_an_action_reads_as_an_indonesian_sentence_with_the_object_linked(app, client, factories):
    record, tl = _record(app, factories)
    auditor = factories.user(["auditor"])
    client.login(auditor.username)
    html = client.get("/audit/").get_data(as_text=True)
    number = f"R-{record.id:06d}"
    link = f'<a href="/records/{record.id}">{number}</a>'
    assert re.search(r'<strong title="dewi">Dewi Lestari</strong> menandatangani dan menyerahkan ' + re.escape(link), html)
    assert "menyetujui dan mengunci" in html
    # Values by their labels, never the raw status codes or keys.
    assert "Disetujui (terkunci)" in html
    assert "<dt>status</dt>" not in html and "record.submitted</code>" not in html


def test_searching_an_object_code_finds_its_events(app, client, factories):
    record, tl = _record(app, factories)
    with app.test_request_context():
        audit.record("site.updated", ("site", 3), old={"name": "A"}, new={"name": "B"})
        db.session.commit()
    auditor = factories.user(["auditor"])
    client.login(auditor.username)
    number = f"R-{record.id:06d}"
    html = client.get(f"/audit/?object={number}").get_data(as_text=True)
    assert 'title="record.created"' in html and 'title="record.approved"' in html
    assert 'title="site.updated"' not in html
    # The document code finds the form's events (the document and its revisions).
    html = client.get("/audit/?object=in.occ.telk.f-04").get_data(as_text=True)
    assert 'title="document.registered"' in html and 'title="revision.effective"' in html
    assert 'title="record.created"' not in html
    # A person by part of their full name; an action by its declared label in the select.
    html = client.get("/audit/?actor=lestari").get_data(as_text=True)
    assert 'title="record.submitted"' in html and 'title="record.approved"' not in html
    html = client.get("/audit/?action=record.approved").get_data(as_text=True)
    assert 'title="record.approved"' in html and 'title="record.submitted"' not in html
    assert '<option value="record.draft_saved"' in html and ">Draf disimpan</option>" in html
    # The type filter speaks Indonesian.
    assert re.search(r'<option value="record"\s*>Rekaman</option>', html)


def test_values_are_shown_by_their_labels(app, client, factories):
    auditor = factories.user(["auditor"])
    with app.test_request_context():
        audit.record("document.printed", ("document", 999999), new={"revision": "01", "copy_status": "uncontrolled"})
        audit.record("thing.touched", ("thing", 4), new={"copy_status": "controlled"})
        db.session.commit()
    client.login(auditor.username)
    html = client.get("/audit/").get_data(as_text=True)
    assert "salinan tidak terkendali" in html and "uncontrolled" not in html
    assert "Salinan</dt>" in html and "copy_status" not in html
    # An action no module declares still reads as a sentence.
    assert "thing.touched pada <strong>thing 4</strong>" in html


def test_every_declared_sentence_is_translated_and_formats(app):
    with app.test_request_context(), force_locale("id"):
        labels = modules.audit_labels()
        assert len(labels) > 60
        for action, declared in labels.items():
            english, indonesian = declared.sentence._args[0], str(declared.sentence)
            assert set(re.findall(r"%\((\w+)\)s", english)) == set(re.findall(r"%\((\w+)\)s", indonesian)), action
            assert indonesian != english, f"{action}: the sentence is not translated"
            assert str(declared.label) != declared.label._args[0], f"{action}: the label is not translated"


def test_the_page_resolves_objects_in_one_statement_for_all_types(app, client, factories):
    record, tl = _record(app, factories)
    site, service = factories.site(), factories.service()
    auditor = factories.user(["auditor"])
    with app.test_request_context():
        for i in range(10):
            audit.record("site.updated", site, old={"name": str(i)}, new={"name": str(i + 1)})
            audit.record("service.updated", service, old={"name": str(i)}, new={"name": str(i + 1)})
            audit.record("user.updated", tl, old={"position": str(i)}, new={"position": str(i + 1)})
        db.session.commit()
    client.login(auditor.username)
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        html = client.get("/audit/").get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert "Dewi Lestari (dewi)" in html
    queries = [s for s in statements if not re.match(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)", s, re.I)]
    assert len(queries) <= 4, queries


def test_the_excel_export_keeps_the_raw_codes_beside_the_sentence(app, client, factories):
    record, tl = _record(app, factories)
    auditor = factories.user(["auditor"])
    client.login(auditor.username)
    response = client.get(f"/audit/export.xlsx?object=R-{record.id:06d}")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    header = rows[0]
    sentence, action, code = header.index("Apa yang terjadi"), header.index("Tindakan"), header.index("Objek")
    submitted = next(r for r in rows[1:] if r[action] == "record.submitted")
    assert submitted[sentence] == f"Dewi Lestari menandatangani dan menyerahkan R-{record.id:06d}"
    assert submitted[code] == f"R-{record.id:06d}"


def test_every_action_the_code_writes_has_a_sentence(app):
    """An action written anywhere in the code (audit.record("x.y", ...), audit_action="x.y") is declared by a module."""
    from pathlib import Path

    root = Path(__file__).parents[2] / "portal"
    pattern = re.compile(r'(?:record\(\s*|audit_action=|action = |ACTION = )"([a-z_]+\.[a-z_]+)"'
                         r'|"([a-z_]+\.[a-z_]+)" if \w+ else "([a-z_]+\.[a-z_]+)"')
    written = set()
    for path in root.rglob("*.py"):
        for match in pattern.finditer(path.read_text()):
            written.update(a for a in match.groups() if a)
    with app.app_context():
        declared = set(modules.audit_labels())
    assert len(written) > 60
    assert written - declared == set()


def test_training_and_coaching_events_read_as_sentences_with_their_objects(app, client, factories):
    """The later modules declare their actions (label and sentence) and objects (code, link, field labels)."""
    from portal.coaching import services as coaching
    from tests.people_factories import make_staff, make_team
    from tests.training_factories import make_course, make_session

    trainer = factories.user(["trainer"], username="tono", full_name="Tono Pelatih")
    tl = factories.user(["tl"], username="tari", full_name="Tari Leader")
    with app.test_request_context():
        team = make_team(name="Tim Audit")
        staff = make_staff(team=team, full_name="Rina Agen")
        course = make_course(code="INIT-147", name="Pelatihan awal 147")
        make_session(course, [staff], held_on=date(2026, 6, 1), scores=["80"], trainer=trainer)
        coaching.raise_finding(staff, {"kind": "late_login", "found_on": date(2026, 6, 2), "rule": "MNOP-01 §2.2",
                                       "description": "Masuk 20 menit setelah jadwal", "evidence_link": ""}, tl)
        number = staff.employee_number
        db.session.commit()
    auditor = factories.user(["auditor"])
    client.login(auditor.username)
    html = client.get("/audit/").get_data(as_text=True)
    assert re.search(r'<strong title="tono">Tono Pelatih</strong> menambahkan peserta ke sesi pelatihan .*INIT-147 · 2026-06-01', html)
    assert "mencatat kehadiran, nilai atau keterangan peserta" in html and "Nilai</dt>" in html
    assert re.search(r'<strong title="tari">Tari Leader</strong> mencatat temuan \(.*' + re.escape(number), html)
    assert "Terlambat login" in html  # the finding's kind by its label
    assert "late_login" not in html.replace('value="late_login"', "")
    assert "A finding was raised" not in html and "training_session.attendees_added</code>" not in html
