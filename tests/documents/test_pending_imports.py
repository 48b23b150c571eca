"""Imports a person confirms: services without HTTP, then the pages (403 and hidden link, 422 keeping the typing)."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.core.audit import AuditEvent
from portal.core.service import ServiceError
from portal.documents import pending, search, services
from portal.documents.models import ACCEPTED, DRAFT, EFFECTIVE, PENDING, REJECTED, Document, PendingImport
from portal.extensions import db

CORPUS = Path(__file__).resolve().parent / "corpus"


def _file(name: str) -> tuple[str, bytes]:
    return name, (CORPUS / name).read_bytes()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _newer_p02() -> bytes:
    """Seed 000 (OB.IN.OCC.TELK.P-02 rev 00) as its revision 01."""
    text = (CORPUS / "seed000.txt").read_text(encoding="utf-8")
    text = text.replace("P-02.Rev.00", "P-02.Rev.01").replace("Revisi : 00", "Revisi : 01")
    return text.replace("Sebagai panduan", "Sebagai pedoman", 1).encode()


def _actions(obj_id: int) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "pendingimport",
                                                                   AuditEvent.object_id == str(obj_id))
                                   .order_by(AuditEvent.id)))


# ---------------------------------------------------------------- services
def test_upload_reads_each_file_and_lists_the_others_with_a_reason(app, factories):
    dc = factories.user(["dc"])
    with app.test_request_context():
        result = pending.upload([_file("layout_c.md"), _file("seed000.docx"), _file("notes.xlsx"), _file("empty.txt"),
                                 _file("scanned.pdf")], dc)
        assert [p.file_name for p in result.created] == ["layout_c.md", "seed000.docx", "scanned.pdf"]
        assert [n for n, _why in result.refused] == ["notes.xlsx", "empty.txt"]
        assert all(why for _n, why in result.refused)
        md = result.created[0]
        assert (md.status, md.code, md.revision_number, md.file_format, md.uploaded_by_id) == (PENDING, "IK-CS-03", "02", "md", dc.id)
        assert md.file_path == f"originals/{md.file_sha256}.md" and pending.original_bytes(md) == _file("layout_c.md")[1]
        assert "Agent menjawab telepon" in md.source_text and md.warnings
        parsed = pending.parsed_of(md)
        assert parsed.title == "Penanganan Telepon Masuk" and parsed.sections
        assert _actions(md.id) == ["import.uploaded"]
        assert md.file_path in set(pending.stored_originals())  # never an orphan of the documents store
        # Nothing entered the register.
        assert services.get_document("IK-CS-03") is None
        # The same file again is refused: it is already waiting.
        again = pending.collect([_file("layout_c.md")], dc)
        assert again.created == [] and ("menunggu" in again.refused[0][1] or "waiting" in again.refused[0][1])
        with pytest.raises(ServiceError) as refused:
            pending.upload([_file("notes.xlsx")], dc)
        assert refused.value.field == "files"


def test_a_zip_is_unpacked_within_bounds(app, factories, monkeypatch):
    dc = factories.user(["dc"])
    archive = _zip({"docs/layout_c.md": _file("layout_c.md")[1], "docs/enc_utf8_bom.txt": _file("enc_utf8_bom.txt")[1],
                    "docs/notes.xlsx": b"x", "inner.zip": b"PK\x03\x04", "__MACOSX/._layout_c.md": b"junk"})
    with app.test_request_context():
        result = pending.upload([("batch.zip", archive)], dc)
        assert sorted(p.file_name for p in result.created) == ["enc_utf8_bom.txt", "layout_c.md"]
        assert sorted(n for n, _w in result.refused) == ["batch.zip: inner.zip", "batch.zip: notes.xlsx"]
        # Too many members, too large a whole, a bomb: refused without unpacking.
        monkeypatch.setattr(pending, "MAX_ZIP_MEMBERS", 1)
        many = pending.collect([("many.zip", _zip({"a.txt": b"a", "b.txt": b"b"}))], dc)
        assert many.created == [] and many.refused[0][0] == "many.zip"
        monkeypatch.setattr(pending, "MAX_ZIP_MEMBERS", 200)
        bomb = pending.collect([("bomb.zip", _zip({"big.txt": b"a" * 3_000_000}))], dc)
        assert bomb.created == [] and bomb.refused[0][0] == "bomb.zip: big.txt"
        monkeypatch.setattr(pending, "MAX_ZIP_UNPACKED", 1000)
        whole = pending.collect([("whole.zip", _zip({"a.txt": b"a" * 2000}))], dc)
        assert whole.created == [] and whole.refused[0][0] == "whole.zip"
        assert pending.collect([("fake.zip", b"not a zip")], dc).refused[0][0] == "fake.zip"


def test_the_size_cap_is_the_configured_one(app, factories):
    dc = factories.user(["dc"])
    app.config["DOCUMENT_MAX_BYTES"] = 100
    try:
        with app.test_request_context():
            result = pending.collect([_file("layout_c.md")], dc)
            assert result.created == [] and "MB" in result.refused[0][1]
    finally:
        app.config["DOCUMENT_MAX_BYTES"] = 20 * 1024 * 1024


def test_corrections_are_validated_saved_and_audited(app, factories):
    dc = factories.user(["dc"])
    with app.test_request_context():
        item = pending.upload([_file("layout_a.txt")], dc).created[0]
        fields = pending.fields_of(item)
        assert fields["code"] == "SOP/HRD/01" and fields["revision"] == "00"
        bad = {**fields, "code": "SOP//HRD/01", "title": "", "revision": "tiga", "effective_date": "31-31-2024",
               "doc_type": "ZZ", "signatures": [{"role": "prepared", "name": "", "position": "Staf"}],
               "sections": [{"number": "", "title": "", "body": "Teks tanpa judul"}]}
        errors = pending.field_errors(bad)
        assert set(errors) == {"code", "title", "revision", "effective_date", "doc_type", "sig_prepared_name",
                               "section_title-1"}
        with pytest.raises(ServiceError):
            pending.save_fields(item, bad, dc)
        good = {**fields, "code": "SOP-HRD-01", "revision": "Nihil", "effective_date": "15/01/2024",
                "sections": fields["sections"] + [{"number": "IV", "title": "PENUTUP", "body": "Selesai."}]}
        pending.save_fields(item, good, dc)
        parsed = pending.parsed_of(item)
        assert (item.code, parsed.code, parsed.revision, str(parsed.effective_date)) == ("SOP-HRD-01", "SOP-HRD-01", "00", "2024-01-15")
        assert parsed.sections[-1].title == "PENUTUP"
        assert _actions(item.id) == ["import.uploaded", "import.corrected"]
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "import.corrected")).one()
        assert event.old["code"] == "SOP/HRD/01" and event.new["code"] == "SOP-HRD-01"
        # Saving the same again writes nothing more.
        pending.save_fields(item, pending.fields_of(item), dc)
        assert _actions(item.id).count("import.corrected") == 1


def test_accept_registers_a_new_code_as_current_with_transcribed_signatures(app, factories):
    dc = factories.user(["dc"])
    with app.test_request_context():
        item = pending.upload([_file("seed000.docx")], dc).created[0]
        result = pending.accept(item, dc)
        assert result.status == "imported"
        doc = services.get_document("OB.IN.OCC.TELK.P-02")
        rev = doc.current
        assert rev.status == EFFECTIVE and rev.file_sha256 == item.file_sha256 and rev.file_name == "seed000.docx"
        assert rev.signatures and all(s.transcribed for s in rev.signatures)
        assert (item.status, item.outcome, item.revision_id, item.decided_by_id) == (ACCEPTED, "imported", rev.id, dc.id)
        assert _actions(item.id) == ["import.uploaded", "import.accepted"]
        assert search.search("Infratel")  # its body is searchable
        with pytest.raises(ServiceError):  # decided once
            pending.reject(item, dc, "terlambat")


def test_accept_of_a_newer_revision_makes_a_draft(app, factories):
    dc = factories.user(["dc"])
    with app.test_request_context():
        pending.accept(pending.upload([_file("seed000.txt")], dc).created[0], dc)
        newer = pending.upload([("p02-rev01.txt", _newer_p02())], dc).created[0]
        assert pending.existing_revisions(newer.code) == ["00"]
        result = pending.accept(newer, dc)
        assert result.status == "draft"
        doc = services.get_document("OB.IN.OCC.TELK.P-02")
        draft = next(r for r in doc.revisions if r.number == "01")
        assert draft.status == DRAFT and draft.signatures == [] and draft.created_by_id == dc.id
        assert doc.current.number == "00" and newer.revision_id == draft.id


def test_conflicts_and_empty_bodies_are_refused_next_to_their_field(app, factories):
    dc = factories.user(["dc"])
    with app.test_request_context():
        pending.accept(pending.upload([_file("seed000.txt")], dc).created[0], dc)
        same_revision = pending.upload([_file("seed000.docx")], dc).created[0]
        with pytest.raises(ServiceError) as conflict:
            pending.accept(same_revision, dc)
        assert conflict.value.field == "revision"
        assert same_revision.status == PENDING
        emptied = pending.upload([_file("layout_c.md")], dc).created[0]
        fields = pending.fields_of(emptied)
        fields["sections"] = [{**s, "body": ""} for s in fields["sections"]]
        with pytest.raises(ServiceError) as empty:
            pending.accept(emptied, dc, fields)
        assert empty.value.field == "body"
        assert services.get_document("IK-CS-03") is None
        clash = pending.upload([_file("layout_a.txt")], dc).created[0]
        with pytest.raises(ServiceError) as code:  # its address would be the import page's
            pending.accept(clash, dc, {**pending.fields_of(clash), "code": "import/3"})
        assert code.value.field == "code" and clash.status == PENDING


def test_reject_needs_a_reason(app, factories):
    dc = factories.user(["dc"])
    with app.test_request_context():
        item = pending.upload([_file("layout_c.md")], dc).created[0]
        with pytest.raises(ServiceError) as refused:
            pending.reject(item, dc, "  ")
        assert refused.value.field == "reason"
        pending.reject(item, dc, "Salinan lama")
        assert (item.status, item.rejection_reason) == (REJECTED, "Salinan lama")
        assert _actions(item.id) == ["import.uploaded", "import.rejected"]
        assert services.get_document("IK-CS-03") is None
        # Once rejected, the same file can be uploaded again.
        assert pending.upload([_file("layout_c.md")], dc).created


def test_cli_review_leaves_pending_imports(app, tmp_path):
    for name in ("layout_c.md", "notes.xlsx", "seed000.pdf"):
        (tmp_path / name).write_bytes((CORPUS / name).read_bytes())
    output = app.test_cli_runner().invoke(args=["documents", "import", str(tmp_path), "--review"]).output
    assert re.search(r"layout_c\.md: IK-CS-03 rev 02 -> pending import \d+: Penanganan Telepon Masuk", output)
    assert "seed000.pdf: OB.IN.OCC.TELK.P-02 rev 00 -> pending import" in output
    assert "notes.xlsx: - -> refused:" in output and "! " in output
    assert "3 file(s): 2 waiting for review, 1 refused." in output
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    assert db.session.scalar(select(func.count()).select_from(PendingImport)) == 2


# ---------------------------------------------------------------- pages
def test_only_dc_and_qmr_see_the_import_pages_and_link(app, client, factories):
    agent, spv, qmr = factories.user(["agent"]), factories.user(["spv"]), factories.user(["qmr"])
    for user in (agent, spv):
        client.login(user.username)
        assert client.get("/documents/import").status_code == 403
        assert 'data-testid="import-documents"' not in client.get("/documents/").get_data(as_text=True)
        client.logout()
    client.login(qmr.username)
    assert 'data-testid="import-documents"' in client.get("/documents/").get_data(as_text=True)
    assert client.get("/documents/import").status_code == 200


def test_upload_review_correct_and_accept_through_the_pages(app, client, factories):
    dc = factories.user(["dc"])
    client.login(dc.username)
    token = client.token("/documents/import")
    response = client.post("/documents/import", data={
        "csrf_token": token, "files": [(io.BytesIO(_file("layout_a.txt")[1]), "layout_a.txt"),
                                       (io.BytesIO(b"x"), "notes.xlsx")]}, content_type="multipart/form-data")
    assert response.status_code == 303
    page = client.get("/documents/import").get_data(as_text=True)
    assert "layout_a.txt" in page and "SOP/HRD/01" in page and "notes.xlsx" in page  # the refused one, flashed
    with app.app_context():
        item_id = db.session.scalar(select(PendingImport.id).where(PendingImport.file_name == "layout_a.txt"))
    review = client.get(f"/documents/import/{item_id}").get_data(as_text=True)
    assert 'value="SOP/HRD/01"' in review and "PROSEDUR REKRUTMEN KARYAWAN" in review and "Terima ke register" in review
    assert 'class="source-text"' in review and "Nomor Dokumen: SOP/HRD/01" in review
    form = _form_of(review)
    # A code whose address would be another page is refused at acceptance: 422, the message next to it, the typing
    # kept, nothing written.
    form["title"] = "Prosedur Rekrutmen Karyawan (diketik)"
    form["code"] = "import/7"
    refused = client.post(f"/documents/import/{item_id}/accept", data=form)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="f-code-err"' in html and "Prosedur Rekrutmen Karyawan (diketik)" in html
    with app.app_context():
        assert db.session.get(PendingImport, item_id).status == PENDING and services.get_document("import/7") is None
        assert "diketik" not in db.session.get(PendingImport, item_id).parsed_json
    form["code"] = "SOP/HRD/01"  # the code as read, slashes and all
    accepted = client.post(f"/documents/import/{item_id}/accept", data=form)
    assert accepted.status_code == 303
    with app.app_context():
        doc = services.get_document("SOP/HRD/01")
        assert doc.code == "SOP/HRD/01" and doc.title == "Prosedur Rekrutmen Karyawan (diketik)" and doc.current.file_sha256
    listing = client.get("/documents/import").get_data(as_text=True)
    assert 'href="/documents/SOP/HRD/01"' in listing and "Tidak ada impor yang menunggu pemeriksaan." in listing
    assert client.get("/documents/SOP/HRD/01").status_code == 200


def test_bad_corrections_answer_422_and_keep_the_typing(app, client, factories):
    dc = factories.user(["dc"])
    with app.test_request_context():
        item_id = pending.upload([_file("layout_c.md")], dc).created[0].id
        db.session.commit()
    client.login(dc.username)
    form = _form_of(client.get(f"/documents/import/{item_id}").get_data(as_text=True))
    form.update({"revision": "dua", "effective_date": "kemarin", "section_body": ["Isi yang saya ketik"] + form["section_body"][1:]})
    response = client.post(f"/documents/import/{item_id}", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="f-revision-err"' in html and 'id="f-effective_date-err"' in html
    assert 'value="dua"' in html and 'value="kemarin"' in html and "Isi yang saya ketik" in html
    with app.app_context():
        assert "Isi yang saya ketik" not in db.session.get(PendingImport, item_id).parsed_json
    # A good save: 303 back to the review.
    form.update({"revision": "03", "effective_date": "2024-02-01"})
    assert client.post(f"/documents/import/{item_id}", data=form).status_code == 303
    assert 'value="03"' in client.get(f"/documents/import/{item_id}").get_data(as_text=True)
    # Rejecting without a reason: 422 with the message; with one: done.
    token = form["csrf_token"]
    refused = client.post(f"/documents/import/{item_id}/reject", data={"csrf_token": token, "reason": ""})
    assert refused.status_code == 422 and 'id="f-reason-err"' in refused.get_data(as_text=True)
    assert client.post(f"/documents/import/{item_id}/reject", data={"csrf_token": token, "reason": "Duplikat"}).status_code == 303
    decided = client.get(f"/documents/import/{item_id}").get_data(as_text=True)
    assert 'data-testid="import-decided"' in decided and "Duplikat" in decided and 'data-testid="import-accept"' not in decided
    late = client.post(f"/documents/import/{item_id}/accept", data=form)
    assert late.status_code == 422 and 'data-testid="import-error"' in late.get_data(as_text=True)
    with app.app_context():
        assert services.get_document("IK-CS-03") is None


def test_an_upload_with_nothing_readable_is_422_next_to_the_field(app, client, factories):
    dc = factories.user(["dc"])
    client.login(dc.username)
    token = client.token("/documents/import")
    response = client.post("/documents/import", data={"csrf_token": token, "files": [(io.BytesIO(b""), "empty.txt")]},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and 'id="files-err"' in response.get_data(as_text=True)
    assert client.post("/documents/import", data={"csrf_token": token}).status_code == 422


def test_an_existing_code_is_offered_as_a_new_draft_revision(app, client, factories):
    dc = factories.user(["dc"])
    with app.test_request_context():
        pending.accept(pending.upload([_file("seed000.txt")], dc).created[0], dc)
        item_id = pending.upload([("p02-rev01.txt", _newer_p02())], dc).created[0].id
        db.session.commit()
    client.login(dc.username)
    html = client.get(f"/documents/import/{item_id}").get_data(as_text=True)
    assert "Terima sebagai draf revisi 01 dari OB.IN.OCC.TELK.P-02" in html and 'data-testid="import-existing"' in html
    assert "draf revisi baru dari dokumen terdaftar" in client.get("/documents/import").get_data(as_text=True)
    original = client.get(f"/documents/import/{item_id}/original")
    assert original.status_code == 200 and original.data == _newer_p02()


def _form_of(html: str) -> dict:
    """The review form's fields as a browser would post them (repeated names as lists)."""
    form_html = html[html.index('id="import-form"'):html.index("</form>", html.index('id="import-form"'))]
    data: dict = {}
    for m in re.finditer(r'<input id="[^"]*" name="([^"]+)" type="text" value="([^"]*)"', form_html):
        data.setdefault(m.group(1), []).append(_unescape(m.group(2)))
    for m in re.finditer(r'<textarea id="[^"]*" name="([^"]+)"[^>]*>(.*?)</textarea>', form_html, re.S):
        data.setdefault(m.group(1), []).append(_unescape(m.group(2)))
    selected = re.search(r'<option value="([^"]*)" selected>', form_html)
    out = {k: (v if k.startswith(("section_", "record_", "change_")) else v[0]) for k, v in data.items()}
    out["doc_type"] = selected.group(1) if selected else ""
    out["csrf_token"] = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    return out


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


# ---------------------------------------------------------------- scans, warnings, records and change log
def test_a_scanned_pdf_is_kept_with_its_first_page_as_an_image(app, client, factories):
    dc, agent = factories.user(["dc"]), factories.user(["agent"])
    with app.test_request_context():
        item = pending.upload([_file("scanned.pdf")], dc).created[0]
        assert item.status == PENDING and item.source_text == "" and item.code == ""
        assert item.page_image == f"originals/{item.file_sha256}.page1.png"
        assert pending.page_image_path(item).read_bytes().startswith(b"\x89PNG")
        assert item.page_image in pending.stored_originals() and item.file_path in pending.stored_originals()
        texts = " ".join(item.warnings)
        assert "Scanned PDF" in texts or "hasil pindai" in texts  # never an empty import that looks read
        assert len(item.warnings) >= 5  # the scan itself, and code, title, revision, date, body still to type
        # Nothing enters the register until the person has typed a body.
        with pytest.raises(ServiceError) as empty:
            pending.accept(item, dc, {**pending.fields_of(item), "code": "SOP-SCAN-01", "title": "Prosedur Pindai",
                                      "revision": "00", "doc_type": "P"})
        assert empty.value.field == "body"
        item_id = item.id
        db.session.commit()
    client.login(dc.username)
    review = client.get(f"/documents/import/{item_id}").get_data(as_text=True)
    assert f'src="/documents/import/{item_id}/page.png"' in review and 'data-testid="import-no-text"' in review
    image = client.get(f"/documents/import/{item_id}/page.png")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.headers["X-Content-Type-Options"] == "nosniff"
    # Typed from the image, it is accepted with its original attached.
    form = _form_of(review)
    form.update({"code": "SOP-SCAN-01", "title": "Prosedur Pindai", "revision": "00", "doc_type": "P",
                 "effective_date": "2024-03-01", "section_number": ["1", ""], "section_title": ["Tujuan", ""],
                 "section_body": ["Memastikan dokumen hasil pindai tercatat.", ""]})
    assert client.post(f"/documents/import/{item_id}/accept", data=form).status_code == 303
    with app.app_context():
        rev = services.get_document("SOP-SCAN-01").current
        assert rev.file_name == "scanned.pdf" and rev.file_sha256 and search.search("pindai")
    client.logout()
    client.login(agent.username)
    assert client.get(f"/documents/import/{item_id}/page.png").status_code == 403


def test_warnings_follow_the_fields_as_they_are_corrected(app, factories):
    dc = factories.user(["dc"])
    with app.test_request_context():
        item = pending.upload([_file("layout_a.txt")], dc).created[0]
        fields = pending.fields_of(item)
        first = pending.warnings_for(item, fields)
        assert first == item.warnings and first
        # Clearing the title adds its warning; typing it again removes it.
        assert any("Judul belum ada" in w for w in pending.warnings_for(item, {**fields, "title": ""}))
        assert not any("Judul belum ada" in w for w in first)
        # A warning the reader gave about a field goes away when that field is changed, and comes back as "missing"
        # only while the field is empty.
        read = [w for w in pending.read_warnings(pending.parsed_of(item), fields) if w["field"]]
        assert read, "layout_a.txt gives warnings about its fields"
        key = read[0]["field"]
        fixed = dict(fields)
        if key.startswith("sig_"):
            role = key[4:]
            fixed["signatures"] = [{**s, "name": "Rina Marlina"} if s["role"] == role else s for s in fields["signatures"]]
        elif key in ("sections", "records", "change_log"):
            fixed[key] = fields[key][:-1] if fields[key] else [{"revision": "00", "effective_date": "2024-01-15", "description": "Baru"}]
        else:
            fixed[key] = {"effective_date": "2024-01-15", "revision": "00", "doc_type": "P"}.get(key, "Diketik ulang")
        assert read[0]["text"] in first and read[0]["text"] not in pending.warnings_for(item, fixed)
        # Saved, the list's count is the recomputed one.
        complete = {**fields, "effective_date": "2024-01-15", "doc_type": "P",
                    "signatures": [{"role": r, "name": f"Nama {r}", "position": "Manajer"} for r in pending.SIGNER_ROLES],
                    "change_log": [{**c, "effective_date": c["effective_date"] or "2024-01-15"} for c in fields["change_log"]]}
        pending.save_fields(item, complete, dc)
        assert item.warnings == pending.warnings_for(item, pending.fields_of(item))
        assert not any("belum" in w or "tidak ditemukan" in w for w in item.warnings), item.warnings


def test_the_records_table_and_change_log_are_corrected_and_registered(app, factories):
    dc = factories.user(["dc"])
    with app.test_request_context():
        item = pending.upload([_file("seed001.txt")], dc).created[0]
        fields = pending.fields_of(item)
        assert fields["records"] and fields["change_log"]
        bad = {**fields, "records": [{"code": "F-1", "name": "", "retention": "2 Tahun", "owner": ""}],
               "change_log": [{"revision": "x", "effective_date": "kemarin", "description": ""},
                              {"revision": "00", "effective_date": "", "description": "Baru"},
                              {"revision": "0", "effective_date": "", "description": "Lagi"}]}
        errors = pending.field_errors(bad)
        assert {"record_name-1", "change_revision-1", "change_date-1", "change_revision-3"} <= set(errors)
        records = [{"code": "OB.IN.OCC.TELK.F-01", "name": "Log Book Eskalasi", "retention": "1 Tahun", "owner": "Team Leader"}]
        changes = [{"revision": "01", "effective_date": "11/08/2016", "description": "Revisi pertama"},
                   {"revision": "02", "effective_date": "2017-06-05", "description": "Dokumen diketik ulang"}]
        pending.save_fields(item, {**fields, "records": records, "change_log": changes}, dc)
        saved = pending.fields_of(item)
        assert saved["records"] == records
        assert saved["change_log"] == [{"revision": "01", "effective_date": "2016-08-11", "description": "Revisi pertama"},
                                       {"revision": "02", "effective_date": "2017-06-05", "description": "Dokumen diketik ulang"}]
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "import.corrected")).one()
        assert "records" in event.new and "change_log" in event.new
        pending.accept(item, dc)
        doc = services.get_document(saved["code"])
        rev = doc.current
        assert [(r.code, r.name, r.retention) for r in rev.records] == [("OB.IN.OCC.TELK.F-01", "Log Book Eskalasi", "1 Tahun")]
        assert rev.change_description == "Dokumen diketik ulang"
        earlier = next(r for r in doc.revisions if r.number == "01")  # known from the change log only
        assert earlier.change_description == "Revisi pertama" and str(earlier.effective_date) == "2016-08-11"


def test_the_warnings_are_checked_as_typed_and_the_tables_posted(app, client, factories):
    dc, spv = factories.user(["dc"]), factories.user(["spv"])
    with app.test_request_context():
        item_id = pending.upload([_file("seed001.txt")], dc).created[0].id
        db.session.commit()
    client.login(dc.username)
    review = client.get(f"/documents/import/{item_id}").get_data(as_text=True)
    assert 'hx-post="/documents/import/%d/check"' % item_id in review
    assert 'data-testid="import-records"' in review and 'data-testid="import-changes"' in review
    form = _form_of(review)
    assert form["record_name"][0] and form["change_revision"][:2] == ["01", "02"]
    # The check answers the warnings block only, for the fields as typed, and saves nothing.
    cleared = client.post(f"/documents/import/{item_id}/check", data={**form, "title": ""}, headers={"HX-Request": "true"})
    html = cleared.get_data(as_text=True)
    assert cleared.status_code == 200 and html.lstrip().startswith("<h2") and "Judul belum ada" in html
    assert "Judul belum ada" not in client.post(f"/documents/import/{item_id}/check", data=form).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(PendingImport, item_id).parsed_json == pending.parsed_to_json(
            pending.parsed_of(db.session.get(PendingImport, item_id)))
        assert _actions(item_id) == ["import.uploaded"]
    # A records row without a name: 422, the error in its cell, the typing kept.
    form["record_code"] = ["F-99"] + form["record_code"][1:]
    form["record_name"] = [""] + form["record_name"][1:]
    form["change_description"] = ["Diketik ulang dari kertas"] + form["change_description"][1:]
    refused = client.post(f"/documents/import/{item_id}", data=form)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="record_name-1-err"' in html and 'value="F-99"' in html
    assert "Diketik ulang dari kertas" in html
    form["record_name"] = ["Formulir Sembilan Sembilan"] + form["record_name"][1:]
    assert client.post(f"/documents/import/{item_id}", data=form).status_code == 303
    with app.app_context():
        saved = pending.fields_of(db.session.get(PendingImport, item_id))
        assert saved["records"][0]["name"] == "Formulir Sembilan Sembilan"
        assert saved["change_log"][0]["description"] == "Diketik ulang dari kertas"
    # Others: 403 on the check, and no review page to reach it from.
    client.logout()
    client.login(spv.username)
    others = {k: v for k, v in form.items() if k != "csrf_token"}
    assert client.post_form(f"/documents/import/{item_id}/check", others).status_code == 403
    assert client.get(f"/documents/import/{item_id}").status_code == 403


def test_the_demo_leaves_a_word_file_of_another_organisation_waiting(app, client, factories):
    from portal.documents import demo_import

    dc = factories.user(["dc"], username="dc")
    with app.test_request_context():
        out = demo_import.load()
        assert len(out) == 1 and out[0].startswith("pending import")
        assert demo_import.load() == []  # once
        item = db.session.scalars(select(PendingImport)).one()
        assert (item.file_name, item.code, item.revision_number, item.uploaded_by_id) == (
            demo_import.FILE_NAME, "SOP/CC/001", "00", dc.id)
        fields = pending.fields_of(item)
        assert fields["title"] == "Prosedur Penanganan Keluhan Pelanggan"
        assert [s["name"] for s in fields["signatures"]] == ["Rina Kartikasari", "Bambang Setiawan", "Dewi Lestari"]
        assert [s["number"] for s in fields["sections"]][:5] == ["I", "II", "III", "IV", "V"]
        assert item.warnings  # the type is not in its code: the page asks for it
        item_id = item.id
        db.session.commit()
    client.login(dc.username)
    page = client.get(f"/documents/import/{item_id}").get_data(as_text=True)
    assert "Prosedur Penanganan Keluhan Pelanggan" in page and "PT NUSA KONTAK PRIMA" in page


def test_the_page_says_what_accepting_will_do(app, client, factories):
    dc = factories.user(["dc"])
    with app.test_request_context():
        pending.accept(pending.upload([_file("seed001.txt")], dc).created[0], dc)  # P-10 rev 02; rev 01 from its change log
        text = (CORPUS / "seed001.txt").read_text(encoding="utf-8")
        rev01 = text.replace("Revisi : 02", "Revisi : 01").replace("Revisi\t: 02", "Revisi\t: 01").replace(
            "Memastikan", "Menjamin", 1).encode()
        older = pending.upload([("p10-rev01.txt", rev01)], dc).created[0]
        assert pending.expected_outcome("IN.OCC.TELK.P-10", "01")[0] == "filled"
        assert pending.expected_outcome("IN.OCC.TELK.P-10", "02")[0] == "conflict"
        assert pending.expected_outcome("IN.OCC.TELK.P-10", "03")[0] == "draft"
        assert pending.expected_outcome("SOP/BARU/01", "00") == ("new", "")
        # A code with spaces is said before it is glued together.
        spaced = pending.fields_of(older) | {"code": "SOP CC 001"}
        assert any("spasi" in w for w in pending.warnings_for(older, spaced))
        older_id = older.id
        db.session.commit()
    client.login(dc.username)
    page = client.get(f"/documents/import/{older_id}").get_data(as_text=True)
    assert "Terima sebagai revisi 01 dari IN.OCC.TELK.P-10" in page and 'data-testid="import-outcome"' in page
    form = _form_of(page)
    assert client.post(f"/documents/import/{older_id}/accept", data=form).status_code == 303
    with app.app_context():
        doc = services.get_document("IN.OCC.TELK.P-10")
        filled = next(r for r in doc.revisions if r.number == "01")
        assert filled.sections and filled.file_sha256 and doc.current.number == "02"
