"""`flask backup create` / `flask backup restore`: a snapshot restored into an empty instance is identical."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.auth import services
from portal.core import audit, backup
from portal.core.db import reading_session
from portal.extensions import db

KEY = "backup-test-audit-key-0123456789abcdef"


def _populate(app) -> None:
    with app.test_request_context():
        site = services.save_site(None, {"code": "MLG", "name": "Malang", "timezone": "Asia/Jakarta"})
        db.session.flush()
        for i in range(3):
            services.create_user({"username": f"user{i}", "full_name": f"User {i}", "site_id": site.id,
                                  "roles": ["agent"]}, "long-enough-pass")
        audit.record("thing.noted", ("thing", 1), new={"note": "é ✓"}, reason="test")
        db.session.commit()
        db.session.remove()
    folder = Path(app.config["DOCUMENTS_FOLDER"]) / "originals"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "SOP-01.txt").write_bytes(b"Standard operating procedure\n" * 50)
    (folder / "nested").mkdir(exist_ok=True)
    (folder / "nested" / "F-03.pdf").write_bytes(bytes(range(256)) * 10)
    with app.app_context():
        audit.write_anchor(reason="test")


def _dump_tables(app) -> dict[str, list]:
    with app.app_context(), reading_session() as session:
        out = {}
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            out[table.name] = [tuple(r) for r in session.execute(select(table).order_by(*order))]
        return out


def _file_hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _is_empty(app) -> bool:
    root = Path(app.config["DOCUMENTS_FOLDER"])
    with app.app_context():
        return not backup._target_problems() and not (root.exists() and any(root.rglob("*.*")))


@pytest.mark.parametrize("kind", ["dir", "tar"])
def test_backup_then_restore_into_an_empty_instance(fresh_app, tmp_path, kind):
    source = fresh_app(f"bsrc{kind}", AUDIT_HMAC_KEY=KEY)
    _populate(source)
    path = tmp_path / ("snapshot.tar" if kind == "tar" else "snapshot")
    out = source.test_cli_runner().invoke(args=["backup", "create", str(path)])
    assert out.exit_code == 0, out.output
    if kind == "dir":
        manifest = json.loads((path / "manifest.json").read_text())
        assert manifest["tables"]["user_account"] == 3 and manifest["tables"]["audit_event"] >= 5
        assert manifest["alembic_revision"] and manifest["audit_anchor"]["last_id"] == manifest["tables"]["audit_event"]
        assert set(manifest["files"]) >= {"documents/originals/SOP-01.txt", "documents/originals/nested/F-03.pdf",
                                          manifest["database"]["file"], "audit_anchors.jsonl"}
    # The backup anchored the chain in the live anchors file too.
    with source.app_context():
        assert json.loads(audit.anchors_path().read_text().splitlines()[-1])["reason"] == "backup"

    target = fresh_app(f"bdst{kind}", migrate=kind == "dir", AUDIT_HMAC_KEY=KEY)  # migrated-but-empty, or bare
    out = target.test_cli_runner().invoke(args=["backup", "restore", str(path)])
    assert out.exit_code == 0, out.output
    assert "audit chain verified" in out.output
    assert _dump_tables(target) == _dump_tables(source)
    documents = lambda app: {k: v for k, v in _file_hashes(Path(app.config["DOCUMENTS_FOLDER"])).items()}  # noqa: E731
    assert documents(target) == documents(source)
    with target.app_context(), reading_session() as session:
        result = audit.verify_chain(session)
        assert result.ok and result.anchors >= 2
    # The portal works on the restored instance: a restored user signs in.
    client = target.test_client()
    assert client.login("user1", "long-enough-pass").status_code == 303

    # A second restore is refused: the instance is no longer empty.
    again = target.test_cli_runner().invoke(args=["backup", "restore", str(path)])
    assert again.exit_code == 1 and "not empty" in again.output


def _snapshot(fresh_app, tmp_path, suffix):
    source = fresh_app(suffix, AUDIT_HMAC_KEY=KEY)
    _populate(source)
    path = tmp_path / f"{suffix}-snapshot"
    with source.app_context():
        backup.create_backup(path)
    return source, path


def test_tampered_file_in_the_snapshot_is_refused(fresh_app, tmp_path):
    _, path = _snapshot(fresh_app, tmp_path, "btamper")
    doc = path / "documents" / "originals" / "SOP-01.txt"
    doc.write_bytes(doc.read_bytes().replace(b"Standard", b"Modified"))
    target = fresh_app("btampertgt", AUDIT_HMAC_KEY=KEY)
    out = target.test_cli_runner().invoke(args=["backup", "restore", str(path)])
    assert out.exit_code == 1 and "SOP-01.txt does not match its SHA-256" in out.output
    assert _is_empty(target)

    # Re-hashing the file in the manifest does not help without the key.
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["files"]["documents/originals/SOP-01.txt"] = hashlib.sha256(doc.read_bytes()).hexdigest()
    (path / "manifest.json").write_text(json.dumps(manifest))
    out = target.test_cli_runner().invoke(args=["backup", "restore", str(path)])
    assert out.exit_code == 1 and "HMAC does not match" in out.output
    assert _is_empty(target)


def test_snapshot_whose_chain_does_not_verify_is_rolled_back(fresh_app, tmp_path):
    source, path = _snapshot(fresh_app, tmp_path, "bchain")
    # Someone with the key (or a bug) leaves an anchor naming rows the snapshot does not have: the restored
    # chain "misses its tail", so the restore is undone.
    with source.app_context():
        manifest = json.loads((path / "manifest.json").read_text())
        head = manifest["audit_anchor"]
        extra = audit.make_anchor(head["count"] + 2, head["last_id"] + 2, "f" * 64, reason="later")
        with open(path / "audit_anchors.jsonl", "a") as fh:
            fh.write(json.dumps(extra) + "\n")
        manifest["files"]["audit_anchors.jsonl"] = backup.sha256_file(path / "audit_anchors.jsonl")
        backup.sign_manifest(manifest)
        (path / "manifest.json").write_text(json.dumps(manifest))
    target = fresh_app("bchaintgt", AUDIT_HMAC_KEY=KEY)
    out = target.test_cli_runner().invoke(args=["backup", "restore", str(path)])
    assert out.exit_code == 1 and "audit chain does not verify" in out.output and "missing tail" in out.output
    assert _is_empty(target)


def test_restore_with_another_key_is_refused(fresh_app, tmp_path):
    _, path = _snapshot(fresh_app, tmp_path, "bkey")
    target = fresh_app("bkeytgt", AUDIT_HMAC_KEY="another-key-0123456789")
    out = target.test_cli_runner().invoke(args=["backup", "restore", str(path)])
    assert out.exit_code == 1 and "another AUDIT_HMAC_KEY" in out.output
    assert _is_empty(target)
