"""Issue 16, item 13: an upload is judged by its bytes, Office macros and zip bombs are refused, a stored original
is sent under a safe name with the extension and Content-Type of what it is, and a replaced file is deleted."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from flask import current_app

from portal.core import files
from portal.documents import services
from portal.extensions import db

DOCX_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
              'content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
              'document.xml" ContentType="{main}"/></Types>')
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def office(main: str = DOCX_MAIN, extra: dict | None = None, document: bytes = b"<w:document/>") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", DOCX_TYPES.format(main=main))
        z.writestr("word/document.xml", document)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


PDF_WITH_SCRIPT = b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>\n%%EOF\n"


@pytest.fixture
def draft(app, factories):
    dc = factories.user(["dc"])
    with app.test_request_context():
        doc = services.register_document({"code": "IN.OCC.TELK.P-46", "title": "Unggahan"})
        services.new_draft(doc, dc)
        db.session.commit()
    return dc, "/documents/IN.OCC.TELK.P-46/rev/00"


def _upload(client, url, data: bytes, name: str):
    return client.post_form(f"{url}/file", {"file": (io.BytesIO(data), name)}, token_from=f"{url}/edit",
                            content_type="multipart/form-data")


def _originals() -> set[str]:
    folder = Path(current_app.config["DOCUMENTS_FOLDER"]) / "originals"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


@pytest.mark.parametrize("name, data, says", [
    ("evil.html", PDF_WITH_SCRIPT, "tidak diterima"),  # a PDF's bytes under an .html name
    ("laporan.docm", office(DOCM_MAIN, {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}), "makro"),
    ("laporan.docx", office(DOCM_MAIN), "makro"),  # macro-enabled main part renamed .docx
    ("laporan.docx", office(extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}), "makro"),
    ("bom.docx", office(document=b"\0" * (80 * 1024 * 1024)), "zip bomb"),
    ("sop.docx", PDF_WITH_SCRIPT, "bukan file Word"),  # the bytes do not match the extension
    ("sop.pdf", office(), "bukan file PDF"),
    ("sop.docx", office(main="application/xml"), "bukan file Word"),  # a zip without a Word main part
])
def test_a_refused_upload_says_why_next_to_the_field_and_stores_nothing(app, client, draft, name, data, says):
    dc, url = draft
    client.login(dc.username)
    before = _originals()
    response = _upload(client, url, data, name)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="file-err"' in html and says in html.split('id="file-err"', 1)[1].split("</p>", 1)[0]
    assert _originals() == before
    db.session.expire_all()
    assert services.get_document("IN.OCC.TELK.P-46").revisions[0].file_path == ""


def test_an_original_is_sent_as_an_attachment_under_a_safe_name_with_its_real_type(app, client, draft):
    dc, url = draft
    client.login(dc.username)
    assert _upload(client, url, PDF_WITH_SCRIPT, 'Prosedur: <baru> v2?.pdf').status_code == 303
    sent = client.get(f"{url}/original")
    assert sent.status_code == 200 and sent.mimetype == "application/pdf"
    assert sent.headers["X-Content-Type-Options"] == "nosniff"
    disposition = sent.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and 'filename="Prosedur baru v2.pdf"' in disposition
    # A row from before the check, with an uploader's .html name: still sent as the PDF it is.
    rev = services.get_document("IN.OCC.TELK.P-46").revisions[0]
    rev.file_name, rev.file_mime = "evil.html", "text/html"
    db.session.commit()
    sent = client.get(f"{url}/original")
    assert sent.mimetype == "application/pdf" and "filename=evil.pdf" in sent.headers["Content-Disposition"]
    assert ".html" not in sent.headers["Content-Disposition"]


def test_a_replaced_original_is_deleted_once_the_change_is_committed(app, client, draft):
    dc, url = draft
    client.login(dc.username)
    assert _upload(client, url, b"%PDF-1.4 first\n%%EOF", "a.pdf").status_code == 303
    first = services.get_document("IN.OCC.TELK.P-46").revisions[0].file_path
    assert (Path(current_app.config["DOCUMENTS_FOLDER"]) / first).exists()
    assert _upload(client, url, office(), "b.docx").status_code == 303
    db.session.expire_all()
    rev = services.get_document("IN.OCC.TELK.P-46").revisions[0]
    assert rev.file_path.endswith(".docx") and rev.file_path != first
    assert not (Path(current_app.config["DOCUMENTS_FOLDER"]) / first).exists()
    assert (Path(current_app.config["DOCUMENTS_FOLDER"]) / rev.file_path).exists()


def test_the_upload_rules_themselves(app):
    with app.test_request_context():
        assert files.check_upload(office(), "x.DOCX", ("pdf", "docx")) == ("docx", files.DOCX_MIME)
        assert files.check_upload(b"%PDF-1.7\n", "x.pdf", ("pdf",))[0] == "pdf"
        assert files.check_upload("Prosedur penanganan keluhan".encode(), "x.txt", ("txt",))[1] == "text/plain"
        for data, name in [(b"%PDF-1.7", "x.txt"), (b"MZ\x90\x00", "x.txt"), (b"%PDF-1.7", "x"), (b"x", "x.xlsm")]:
            with pytest.raises(files.FileRefused):
                files.check_upload(data, name, ("txt", "pdf"))
        with pytest.raises(files.FileRefused):  # many small members that add up past the limit
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("[Content_Types].xml", DOCX_TYPES.format(main=DOCX_MAIN))
                z.writestr("word/document.xml", b"<w:document/>")
                for i in range(70):
                    z.writestr(f"word/media/{i}.bin", b"\0" * (1024 * 1024 - 1))
            files.check_upload(buf.getvalue(), "x.docx", ("docx",))
        assert files.safe_download_name("../..\\evil.html", "pdf") == "evil.pdf"
        assert files.safe_download_name("", "docx", fallback="P-10.Rev.01") == "P-10.Rev.01.docx"
