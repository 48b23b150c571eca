"""Importing files of every format: originals kept by hash, newer revisions as drafts, conflicts reported."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import current_app

from portal.documents import importer, services
from portal.documents.models import DRAFT, EFFECTIVE, SUPERSEDED
from portal.extensions import db

CORPUS = Path(__file__).resolve().parent / "corpus"


def test_docx_imported_with_its_original_kept(app):
    data = (CORPUS / "seed001.docx").read_bytes()
    result = importer.import_bytes(data, "seed001.docx")
    assert (result.status, result.code, result.revision) == ("imported", "IN.OCC.TELK.P-10", "02")
    rev = services.get_document("IN.OCC.TELK.P-10").current
    sha = hashlib.sha256(data).hexdigest()
    assert (rev.file_sha256, rev.file_path, rev.file_name, rev.file_size) == (sha, f"originals/{sha}.docx", "seed001.docx", len(data))
    assert (Path(current_app.config["DOCUMENTS_FOLDER"]) / rev.file_path).read_bytes() == data
    again = importer.import_bytes(data, "copy.docx")
    assert again.status == "skipped" and again.code == "IN.OCC.TELK.P-10"


def test_newer_revision_becomes_an_unsigned_draft(app):
    text = (CORPUS / "seed001.txt").read_text(encoding="utf-8")
    assert importer.import_bytes(text.encode(), "p10.txt").status == "imported"
    newer = text.replace("Revisi : 02", "Revisi : 03")
    result = importer.import_bytes(newer.encode(), "p10-rev03.txt")
    assert result.status == "draft", result.message
    doc = services.get_document("IN.OCC.TELK.P-10")
    rev03 = next(r for r in doc.revisions if r.number == "03")
    assert rev03.status == DRAFT and rev03.signatures == [] and rev03.sections and rev03.file_sha256
    assert doc.current.number == "02"


def test_changed_file_with_the_same_revision_is_a_conflict(app):
    text = (CORPUS / "seed001.txt").read_text(encoding="utf-8")
    importer.import_bytes(text.encode(), "p10.txt")
    before = services.get_document("IN.OCC.TELK.P-10").current.sections_json
    changed = text.replace("Recovery plan adalah", "Recovery plan ialah")
    result = importer.import_bytes(changed.encode(), "p10-changed.txt")
    assert result.status == "conflict"
    assert services.get_document("IN.OCC.TELK.P-10").current.sections_json == before


def test_placeholder_from_the_change_log_is_filled(app):
    text = (CORPUS / "seed002.txt").read_text(encoding="utf-8")
    importer.import_bytes(text.encode(), "p01.txt")
    doc = services.get_document("IN.OCC.TELK.P-01")
    assert next(r for r in doc.revisions if r.number == "03").sections == []
    older = re.sub(r"(Revisi\W*:\s*)05", r"\g<1>03", text)
    result = importer.import_bytes(older.encode(), "p01-rev03.txt")
    assert result.status == "filled", result.message
    rev03 = next(r for r in doc.revisions if r.number == "03")
    assert rev03.status == SUPERSEDED and rev03.sections and rev03.file_sha256 == hashlib.sha256(older.encode()).hexdigest()
    assert doc.current.number == "05" and doc.current.status == EFFECTIVE


def test_empty_body_and_unreadable_files_are_refused(app):
    header_only = "Judul : Kosong\nKode Dokumen : ZZ-01\nRevisi : 00\nTanggal Berlaku : 01/02/2024\n"
    result = importer.import_bytes(header_only.encode(), "kosong.txt")
    assert result.status == "refused" and services.get_document("ZZ-01") is None
    scanned = importer.import_bytes((CORPUS / "scanned.pdf").read_bytes(), "scanned.pdf")
    assert scanned.status == "refused" and scanned.message.split("; ")[0] in ("no text layer (scanned?)", "tidak ada lapisan teks (hasil pindai?)")
    assert "--review" in scanned.message  # said how to keep it
    assert importer.import_bytes(b"", "e.txt").status == "refused"


def test_cli_reports_every_file(app, tmp_path):
    for name in ("seed000.pdf", "layout_c.md", "notes.xlsx", "empty.txt"):
        (tmp_path / name).write_bytes((CORPUS / name).read_bytes())
    output = app.test_cli_runner().invoke(args=["documents", "import", str(tmp_path)]).output
    assert "OB.IN.OCC.TELK.P-02 rev 00 -> imported" in output
    assert "IK-CS-03 rev 02 -> imported" in output
    assert "notes.xlsx: - -> skipped" in output
    assert "4 file(s): 2 imported, 0 already present, 1 refused." in output and "1 unsupported." in output
    db.session.expire_all()
    assert services.get_document("IK-CS-03").current.file_path.endswith(".md")
