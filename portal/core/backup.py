"""Backups and restores: a consistent database snapshot, the documents store, and a signed manifest.

A backup is a directory (or the same as a .tar file):

    manifest.json          format, time, app version, alembic revision, rows per table, the audit anchor,
                           the SHA-256 of every other file, and an HMAC of all that with the audit key
    database.sqlite3       SQLite: a copy made with the sqlite3 backup API (one consistent read)
    database.dump          PostgreSQL: `pg_dump -Fc` of an exported snapshot (the counts and anchor are read
                           in the same snapshot)
    audit_anchors.jsonl    the anchors file as of the snapshot, plus the anchor of the snapshot itself
    documents/...          every file of DOCUMENTS_FOLDER (the anchors file excepted)

`restore_backup` only restores into an empty instance (no rows in any table, empty documents folder), checks
every hash and the manifest's HMAC first, and after the restore verifies the rows per table and the audit
chain (with its anchors); if anything fails it removes what it restored.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import text
from sqlalchemy.engine import Connection

from portal.core import audit
from portal.core.db import reading_session, utcnow
from portal.core.files import sha256_file
from portal.extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
ANCHORS_FILE = "audit_anchors.jsonl"
DOCUMENTS_DIR = "documents"
IGNORED_TABLES = {"alembic_version", "cache_generation"}  # schema and cache bookkeeping: a migrated empty instance has rows there


class BackupError(Exception):
    """A backup or restore refused, with the reason."""


# --- helpers --------------------------------------------------------------------------------------------------------

def _manifest_message(manifest: dict) -> bytes:
    body = {k: v for k, v in manifest.items() if k != "mac"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign_manifest(manifest: dict) -> dict:
    """Set manifest["mac"]: HMAC-SHA256 with the audit key over everything else in it."""
    manifest["mac"] = hmac.new(audit.hmac_key(), _manifest_message(manifest), hashlib.sha256).hexdigest()
    return manifest


def _dialect() -> str:
    return db.engine.dialect.name


def _sqlite_path() -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def _libpq(url) -> tuple[str, dict]:
    """The URL for pg_dump/pg_restore without its password, and the environment carrying it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _run(args: list[str], env: dict) -> None:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"{args[0]} is not installed (set PG_DUMP / PG_RESTORE)") from exc
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-800:]}")


def _app_version() -> str:
    if os.environ.get("PORTAL_VERSION"):
        return os.environ["PORTAL_VERSION"]
    from flask import current_app

    root = Path(current_app.root_path).parent  # the checkout holding portal/
    try:
        done = subprocess.run(["git", "-C", str(root), "describe", "--always", "--dirty"], capture_output=True,
                              text=True, check=False, timeout=10)
        return done.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _tables_sqlite(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                        " ORDER BY name").fetchall()
    virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
    return [name for name, _ in rows if not any(name.startswith(v + "_") for v in virtual)]


def _counts_sqlite(conn: sqlite3.Connection) -> dict[str, int]:
    return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in _tables_sqlite(conn) if name not in IGNORED_TABLES}


def _tables_connection(conn: Connection) -> list[str]:
    if conn.dialect.name == "postgresql":
        return list(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                                      "ORDER BY tablename")).scalars())
    return _tables_sqlite(conn.connection.dbapi_connection)


def _counts_connection(conn: Connection) -> dict[str, int]:
    return {name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            for name in _tables_connection(conn) if name not in IGNORED_TABLES}


def _alembic_revision(execute) -> str:
    try:
        row = execute("SELECT version_num FROM alembic_version")
        return row[0] if row else ""
    except Exception:  # noqa: BLE001 - no alembic table: not migrated
        return ""


def _documents_root() -> Path:
    return Path(current_app.config["DOCUMENTS_FOLDER"])


def _document_files(root: Path, skip: Path) -> list[Path]:
    if not root.exists():
        return []
    skip = skip.resolve()
    return sorted(p for p in root.rglob("*") if p.is_file() and p.resolve() != skip)


# --- create ---------------------------------------------------------------------------------------------------------

def _snapshot_sqlite(work: Path) -> tuple[dict, tuple[int, int, str], str]:
    target = work / SQLITE_FILE
    source = sqlite3.connect(_sqlite_path())
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # one read transaction over every page: a consistent snapshot
        finally:
            copy.close()
    finally:
        source.close()
    snap = sqlite3.connect(target)
    try:
        snap.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        counts = _counts_sqlite(snap)
        head = snap.execute("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
        total = snap.execute("SELECT count(*) FROM audit_event").fetchone()[0]
        revision = _alembic_revision(lambda sql: snap.execute(sql).fetchone())
    finally:
        snap.close()
    chain = (total, head[0], head[1]) if head else (0, 0, audit.GENESIS)
    return counts, chain, revision


def _snapshot_postgres(work: Path) -> tuple[dict, tuple[int, int, str], str]:
    url, env = _libpq(db.engine.url)
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            conn.execute(text("SET TRANSACTION READ ONLY"))
            snapshot_id = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            counts = _counts_connection(conn)
            head = conn.execute(text("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1")).first()
            chain = (counts.get("audit_event", 0), head[0], head[1]) if head else (0, 0, audit.GENESIS)
            revision = _alembic_revision(lambda sql: conn.execute(text(sql)).first())
            # pg_dump reads the very snapshot the counts and the anchor come from (kept open until it is done).
            _run([current_app.config.get("PG_DUMP") or "pg_dump", "--format=custom", f"--snapshot={snapshot_id}",
                  "--file", str(work / PG_FILE), url], env)
    return counts, chain, revision


def create_backup(path: str | Path) -> dict:
    """Write a backup to path (a new directory, or a .tar file); returns the manifest."""
    target = Path(path)
    if target.exists():
        raise BackupError(f"{target} already exists")
    as_tar = target.name.endswith(".tar")
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".backup-", dir=target.parent)) if as_tar else target
    work.mkdir(parents=True, exist_ok=True)
    db.session.remove()
    try:
        anchors_file = audit.anchors_path()
        # Anchors written before the snapshot only name rows the snapshot has.
        anchors_before = anchors_file.read_bytes() if anchors_file.exists() else b""
        dialect = _dialect()
        if dialect == "sqlite":
            counts, chain, revision = _snapshot_sqlite(work)
            database_file = SQLITE_FILE
        elif dialect == "postgresql":
            counts, chain, revision = _snapshot_postgres(work)
            database_file = PG_FILE
        else:
            raise BackupError(f"unsupported database {dialect}")
        anchor = audit.make_anchor(*chain, reason="backup")
        audit.append_anchor(anchor)
        if anchors_before and not anchors_before.endswith(b"\n"):
            anchors_before += b"\n"
        (work / ANCHORS_FILE).write_bytes(anchors_before + (json.dumps(anchor, sort_keys=True) + "\n").encode())
        root = _documents_root()
        for source in _document_files(root, anchors_file):
            copy = work / DOCUMENTS_DIR / source.relative_to(root)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy)
        files = {p.relative_to(work).as_posix(): sha256_file(p) for p in sorted(work.rglob("*")) if p.is_file()}
        manifest = {
            "format": FORMAT,
            "created_at": utcnow().isoformat(timespec="seconds") + "Z",
            "app_version": _app_version(),
            "alembic_revision": revision,
            "database": {"dialect": dialect, "file": database_file},
            "tables": counts,
            "audit_anchor": anchor,
            "files": files,
        }
        sign_manifest(manifest)
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        if as_tar:
            with tarfile.open(target, "w") as tar:
                for item in sorted(work.iterdir()):
                    tar.add(item, arcname=item.name)
        return manifest
    except BaseException:
        if as_tar:
            target.unlink(missing_ok=True)
        else:
            shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        if as_tar:
            shutil.rmtree(work, ignore_errors=True)


# --- restore --------------------------------------------------------------------------------------------------------

def check_snapshot(folder: Path) -> dict:
    """The manifest of the backup in folder, after checking its HMAC and every file's SHA-256."""
    manifest_file = folder / MANIFEST
    if not manifest_file.exists():
        raise BackupError("no manifest.json in the backup")
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise BackupError("manifest.json is unreadable") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    expected = hmac.new(audit.hmac_key(), _manifest_message(manifest), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(str(manifest.get("mac", "")), expected):
        raise BackupError("the manifest's HMAC does not match (altered, or made with another AUDIT_HMAC_KEY)")
    files = manifest.get("files") or {}
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {MANIFEST}
    if present - set(files):
        raise BackupError(f"file(s) not in the manifest: {', '.join(sorted(present - set(files))[:5])}")
    for name, digest in sorted(files.items()):
        path = folder / name
        if ".." in Path(name).parts or not path.is_file():
            raise BackupError(f"missing file {name}")
        if sha256_file(path) != digest:
            raise BackupError(f"file {name} does not match its SHA-256 in the manifest")
    return manifest


def _target_problems() -> list[str]:
    problems = []
    with db.engine.connect() as conn:
        conn.execution_options(sqlite_begin="DEFERRED")
        full = {name: n for name, n in _counts_connection(conn).items() if n}
        conn.rollback()
    if full:
        problems.append("the database is not empty (" + ", ".join(f"{k}: {v}" for k, v in sorted(full.items())[:5])
                        + ")")
    root = _documents_root()
    if root.exists() and any(p.is_file() for p in root.rglob("*")):
        problems.append(f"the documents folder {root} is not empty")
    anchors_file = audit.anchors_path()
    if anchors_file.exists() and anchors_file.stat().st_size:
        problems.append(f"the anchors file {anchors_file} is not empty")
    return problems


def _restore_sqlite(snapshot: Path) -> None:
    target = _sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(snapshot)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
            dest.execute("PRAGMA journal_mode=WAL")
        finally:
            dest.close()
    finally:
        source.close()


def _restore_postgres(dump: Path) -> None:
    url, env = _libpq(db.engine.url)
    # --clean drops the (empty) tables a migrated target may have; --single-transaction: all or nothing.
    _run([current_app.config.get("PG_RESTORE") or "pg_restore", "--clean", "--if-exists", "--no-owner", "--no-acl",
          "--single-transaction", "--exit-on-error", "--dbname", url, str(dump)], env)


PG_WIPE = """
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
    EXECUTE 'DROP TABLE IF EXISTS ' || quote_ident(r.tablename) || ' CASCADE'; END LOOP;
  FOR r IN SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() LOOP
    EXECUTE 'DROP SEQUENCE IF EXISTS ' || quote_ident(r.sequencename) || ' CASCADE'; END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = current_schema() LOOP
    EXECUTE 'DROP FUNCTION IF EXISTS ' || r.f || ' CASCADE'; END LOOP;
  FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE n.nspname = current_schema() AND t.typtype = 'e' LOOP
    EXECUTE 'DROP TYPE IF EXISTS ' || quote_ident(r.typname) || ' CASCADE'; END LOOP;
END $$
"""


def _wipe_database() -> None:
    """Return the target database to empty after a refused restore (it was empty before)."""
    db.session.remove()
    db.engine.dispose()
    if _dialect() == "sqlite":
        target = _sqlite_path()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(target) + suffix).unlink(missing_ok=True)
    else:
        with db.engine.begin() as conn:
            conn.execute(text(PG_WIPE))
    db.engine.dispose()


def _wipe_documents(written: list[Path]) -> None:
    for path in written:
        path.unlink(missing_ok=True)
    root = _documents_root()
    if root.exists():
        for folder in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
            try:
                folder.rmdir()
            except OSError:
                pass


def restore_backup(path: str | Path) -> dict[str, Any]:
    """Restore the backup at path into this empty instance; raises BackupError (and leaves it empty) if refused."""
    source = Path(path)
    unpacked = None
    try:
        if source.is_file():
            unpacked = Path(tempfile.mkdtemp(prefix=".restore-"))
            try:
                with tarfile.open(source) as tar:
                    tar.extractall(unpacked, filter="data")
            except (tarfile.TarError, OSError) as exc:
                raise BackupError(f"{source} is not a readable backup archive: {exc}") from exc
            folder = unpacked
        else:
            folder = source
        manifest = check_snapshot(folder)
        if manifest["database"]["dialect"] != _dialect():
            raise BackupError(f"the backup is of a {manifest['database']['dialect']} database, "
                              f"this instance uses {_dialect()}")
        db.session.remove()
        problems = _target_problems()
        if problems:
            raise BackupError("the target instance is not empty: " + "; ".join(problems))
        return _restore_checked(folder, manifest)
    finally:
        if unpacked:
            shutil.rmtree(unpacked, ignore_errors=True)


def _restore_checked(folder: Path, manifest: dict) -> dict[str, Any]:
    written: list[Path] = []
    try:
        root = _documents_root()
        for name in manifest["files"]:
            if name.startswith(DOCUMENTS_DIR + "/"):
                destination = root / Path(name).relative_to(DOCUMENTS_DIR)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(folder / name, destination)
                written.append(destination)
        anchors_file = audit.anchors_path()
        anchors_file.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / ANCHORS_FILE, anchors_file)
        written.append(anchors_file)
        db.session.remove()
        db.engine.dispose()
        if manifest["database"]["dialect"] == "sqlite":
            _restore_sqlite(folder / manifest["database"]["file"])
        else:
            _restore_postgres(folder / manifest["database"]["file"])
        db.engine.dispose()
        with reading_session() as session:
            counts = _counts_connection(session.connection())
            if counts != manifest["tables"]:
                differ = sorted(k for k in set(counts) | set(manifest["tables"])
                                if counts.get(k) != manifest["tables"].get(k))
                raise BackupError(f"rows per table differ from the manifest after restore: {', '.join(differ[:5])}")
            result = audit.verify_chain(session)
        if not result.ok:
            raise BackupError(f"the audit chain does not verify after restore: event {result.broken_id}: "
                              f"{result.problem}")
        for path in written:
            if path != anchors_file and sha256_file(path) != manifest["files"][
                    DOCUMENTS_DIR + "/" + path.relative_to(root).as_posix()]:
                raise BackupError(f"restored file {path} does not match the manifest")
    except BaseException:
        _wipe_database()
        _wipe_documents(written)
        raise
    return {"rows": sum(manifest["tables"].values()), "files": len(written) - 1, "audit_events": result.checked,
            "manifest": manifest}
