"""The documents store: the local folder (default) and an S3-compatible object store behind one interface."""
from __future__ import annotations

import pytest

from portal.core.storage import LocalStore, S3Store, check_key, make_store


@pytest.mark.parametrize("key", ["../x", "/etc/passwd", "a/../../b", "a\\b", "", ".hidden", "a//b", "a/./b"])
def test_keys_that_leave_the_store_are_refused(key):
    with pytest.raises(ValueError):
        check_key(key)


def _exercise(store, app):
    with app.test_request_context():
        store.put("cache/pdf/ab/abc.pdf", b"%PDF-1 one")
        store.put("cache/pdf/ab/abc.pdf", b"%PDF-1 two")  # replaced whole
        store.put("exports/e.xlsx", b"PK")
        assert store.get("cache/pdf/ab/abc.pdf") == b"%PDF-1 two"
        assert store.exists("exports/e.xlsx") and not store.exists("exports/none.xlsx")
        assert store.size("exports/e.xlsx") == 2 and store.size("exports/none.xlsx") is None
        from datetime import timedelta

        from portal.core.db import utcnow

        written = store.modified("exports/e.xlsx")  # naive UTC, what the PDF cache's pruning compares
        assert written.tzinfo is None and abs(written - utcnow()) < timedelta(minutes=5)
        assert store.modified("exports/none.xlsx") is None
        assert sorted(store.keys("cache/")) == ["cache/pdf/ab/abc.pdf"]
        assert sorted(store.keys()) == ["cache/pdf/ab/abc.pdf", "exports/e.xlsx"]
        response = store.send("cache/pdf/ab/abc.pdf", mimetype="application/pdf", download_name="P-10.pdf")
        response.direct_passthrough = False
        assert response.get_data() == b"%PDF-1 two" and response.mimetype == "application/pdf"
        assert "P-10.pdf" in response.headers["Content-Disposition"]
        store.delete("exports/e.xlsx")
        store.delete("exports/e.xlsx")  # deleting what is gone is not an error
        assert not store.exists("exports/e.xlsx")
        with pytest.raises(KeyError):
            store.get("exports/e.xlsx")


def test_local_store(app, tmp_path):
    store = LocalStore(tmp_path)
    _exercise(store, app)
    assert not [p for p in tmp_path.rglob(".tmp-*")]  # written to a temporary name, then renamed


def test_s3_store_against_an_s3_api(app, monkeypatch):
    moto = pytest.importorskip("moto")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    with moto.mock_aws():
        import boto3

        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="portal-docs")
        store = make_store({"DOCUMENTS_STORE": "s3", "S3_BUCKET": "portal-docs", "S3_PREFIX": "mutu/", "S3_REGION": "us-east-1"})
        assert isinstance(store, S3Store)
        _exercise(store, app)
        listed = boto3.client("s3", region_name="us-east-1").list_objects_v2(Bucket="portal-docs")["Contents"]
        assert [o["Key"] for o in listed] == ["mutu/cache/pdf/ab/abc.pdf"]  # under the prefix


def test_the_store_is_chosen_by_configuration(tmp_path):
    assert isinstance(make_store({"DOCUMENTS_FOLDER": str(tmp_path)}), LocalStore)
    with pytest.raises(ValueError):
        make_store({"DOCUMENTS_STORE": "ftp", "DOCUMENTS_FOLDER": str(tmp_path)})
    with pytest.raises(ValueError):
        make_store({"DOCUMENTS_STORE": "s3", "S3_BUCKET": ""})
