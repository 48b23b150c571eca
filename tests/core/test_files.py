"""Issue 16, item 8: files the database does not refer to (a crash between writing and committing) are listed and
removed by `flask files orphans`; a file written in a transaction that rolls back is removed at once."""
from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import func, select

from portal.core.audit import AuditEvent
from portal.documents import services
from portal.extensions import db
from tests.documents_factories import PDF_BYTES


def _plant(root: Path, rel: str, age_hours: float = 2) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4 planted\n")
    old = time.time() - age_hours * 3600
    os.utime(path, (old, old))
    return path


def test_orphans_are_listed_then_deleted_with_an_audit_event(app, factories, tmp_path):
    root = tmp_path / "store"
    previous = app.config["DOCUMENTS_FOLDER"]
    app.config["DOCUMENTS_FOLDER"] = str(root)
    try:
        with app.test_request_context():
            doc = services.register_document({"code": "IN.OCC.TELK.P-47", "title": "Berkas"})
            rev = services.new_draft(doc, factories.user(["dc"]))
            services.attach_file(rev, PDF_BYTES, "asli.pdf")
            db.session.flush()
            referenced = root / rev.file_path
        old = time.time() - 3 * 3600
        os.utime(referenced, (old, old))
        planted = {
            "originals/planted.pdf": "unreferenced",  # an original whose row was never committed
            "originals/.incoming-k2j3h4": "temporary",  # a crash in the middle of writing
            "records/.3f2a.pdf.tmp": "temporary",
            "records/5e6f.pdf": "unreferenced",  # an archive whose record version was rolled back
            "exports/1a2b.zip": "unreferenced",
        }
        for rel in planted:
            _plant(root, rel)
        kept = [_plant(root, "audit/anchors.jsonl"), _plant(root, "elsewhere/notes.txt"),  # not a module's folder
                _plant(root, "originals/young.pdf", age_hours=0)]  # its request may not have committed yet
        runner = app.test_cli_runner()
        listed = runner.invoke(args=["files", "orphans"])
        assert listed.exit_code == 0, listed.output
        for rel, reason in planted.items():
            assert any(line.startswith(reason) and line.endswith(rel) for line in listed.output.splitlines()), rel
        assert "5 orphan file(s)" in listed.output and rev.file_path not in listed.output
        assert all((root / rel).exists() for rel in planted)  # listing deletes nothing
        events = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "file.orphan_deleted"))
        deleted = runner.invoke(args=["files", "orphans", "--delete"])
        assert deleted.exit_code == 0 and "5 orphan file(s) deleted" in deleted.output, deleted.output
        assert not any((root / rel).exists() for rel in planted)
        assert referenced.exists() and all(path.exists() for path in kept)
        trail = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "file.orphan_deleted")
                                   .order_by(AuditEvent.id)).all()
        assert len(trail) == events + 5 and {e.old["path"] for e in trail[-5:]} == set(planted)
        young = runner.invoke(args=["files", "orphans", "--min-age", "0"])
        assert young.output.strip().endswith("1 orphan file(s), 17 bytes. Run with --delete to remove them.")
    finally:
        app.config["DOCUMENTS_FOLDER"] = previous


def test_a_file_written_in_a_transaction_that_rolls_back_is_removed(app, factories, tmp_path):
    previous = app.config["DOCUMENTS_FOLDER"]
    app.config["DOCUMENTS_FOLDER"] = str(tmp_path / "store")
    try:
        with app.test_request_context():
            doc = services.register_document({"code": "IN.OCC.TELK.P-48", "title": "Berkas"})
            rev = services.new_draft(doc, factories.user(["dc"]))
            with db.session.begin_nested():
                services.attach_file(rev, PDF_BYTES, "asli.pdf")
            written = Path(app.config["DOCUMENTS_FOLDER"]) / rev.file_path
            assert written.exists()  # a released savepoint keeps it until the outer transaction ends
            db.session.rollback()
            assert not written.exists()
    finally:
        app.config["DOCUMENTS_FOLDER"] = previous


def test_images_are_judged_by_their_bytes_and_sent_with_their_own_type():
    """A stored PNG or JPEG (a scanned contract, a finding's screenshot) downloads as an image, never as .bin."""
    import pytest

    from portal.core import files

    assert files.check_upload(b"\x89PNG\r\n\x1a\n...", "layar.png", ("png", "jpg")) == ("png", "image/png")
    assert files.check_upload(b"\xff\xd8\xff\xe0...", "scan.jpg", ("png", "jpg")) == ("jpg", "image/jpeg")
    with pytest.raises(files.FileRefused):
        files.check_upload(b"<html>", "layar.png", ("png", "jpg"))
    assert files.safe_download_name("kontrak", "jpg") == "kontrak.jpg"
