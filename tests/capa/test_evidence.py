"""The ISO clause evidence pack: built by a job, a ZIP whose manifest's SHA-256 hashes match its files, the right
content per clause, and only its builder downloads it."""
from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from datetime import date


from portal.extensions import db
from tests.capa_factories import make_nc, waiting_nc


def _build(client, clause, start="2026-01-01", end="2026-12-31"):
    r = client.post_form("/capa/evidence", {"clause": clause, "period_from": start, "period_to": end}, token_from="/capa/evidence")
    assert r.status_code == 303, r.get_data(as_text=True)[-500:]
    progress = client.get(r.headers["Location"], headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'data-status="done"' in progress and "every 1s" not in progress
    download = client.get(r.headers["Location"] + "/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert hashlib.sha256(download.data).hexdigest() in progress
    return r.headers["Location"], zipfile.ZipFile(io.BytesIO(download.data))


def _verified(pack: zipfile.ZipFile) -> list[list[str]]:
    """Every file of the manifest, its hash recomputed from the ZIP's bytes; nothing unlisted besides the manifests."""
    rows = list(csv.reader(io.StringIO(pack.read("manifest.csv").decode())))[1:]
    for name, digest, size, _what in rows:
        data = pack.read(name)
        assert hashlib.sha256(data).hexdigest() == digest and len(data) == int(size), name
    sums = {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in pack.read("SHA256SUMS").decode().splitlines()}
    assert sums == {r[0]: r[1] for r in rows}
    assert set(pack.namelist()) == {r[0] for r in rows} | {"manifest.csv", "SHA256SUMS"}
    return rows


def test_pack_10_2_holds_nc_reports_and_action_evidence(app, client, org):
    from portal.capa import services as capa

    with app.test_request_context():
        nc = waiting_nc(org["qmr"], org["tl"], found_on=date(2026, 10, 5))
        capa.attach(nc.actions[0], b"%PDF-1.4 daftar hadir sosialisasi", "daftar-hadir.pdf", org["tl"])
        make_nc(org["qmr"], found_on=date(2025, 6, 1))  # outside the period
        db.session.commit()
    client.login(org["auditor"].username)
    _url, pack = _build(client, "10.2")
    rows = _verified(pack)
    names = [r[0] for r in rows]
    assert f"ketidaksesuaian/{nc.number}.pdf" in names
    assert any(n.endswith("daftar-hadir.pdf") for n in names)
    assert not any("NC-2025" in n for n in names)
    assert pack.read(f"ketidaksesuaian/{nc.number}.pdf").startswith(b"%PDF")


def test_pack_7_5_holds_the_register_and_revisions(app, client, org):
    from tests.documents_factories import effective_document

    with app.test_request_context():
        effective_document(code="IN.OCC.TELK.P-10", effective=date(2026, 3, 1), with_file=True)
        effective_document(code="IN.OCC.TELK.P-01", effective=date(2017, 3, 1), with_file=True)
        db.session.commit()
    client.login(org["qmr"].username)
    _url, pack = _build(client, "7.5")
    names = [r[0] for r in _verified(pack)]
    assert "daftar-induk-dokumen.csv" in names
    assert any(n.startswith("revisi/IN.OCC.TELK.P-10-Rev.00") for n in names)
    assert not any("P-01" in n for n in names)  # took effect before the period
    assert "IN.OCC.TELK.P-01" in pack.read("daftar-induk-dokumen.csv").decode()


def test_a_tampered_file_no_longer_matches(app, client, org):
    with app.test_request_context():
        waiting_nc(org["qmr"], org["tl"], found_on=date(2026, 10, 5))
        db.session.commit()
    client.login(org["auditor"].username)
    _url, pack = _build(client, "8.7")
    rows = _verified(pack)
    name, digest = rows[0][0], rows[0][1]
    assert hashlib.sha256(pack.read(name) + b"x").hexdigest() != digest


def test_pack_is_its_builders_and_the_period_is_checked(app, client, make_client, org):
    client.login(org["auditor"].username)
    bad = client.post_form("/capa/evidence", {"clause": "9.1", "period_from": "2026-12-01", "period_to": "2026-01-01"},
                           token_from="/capa/evidence")
    assert bad.status_code == 422 and 'id="period_to-err"' in bad.get_data(as_text=True)
    url, _pack = _build(client, "9.1", "2026-10-01", "2026-11-30")
    other = make_client()
    other.login(org["qmr"].username)
    assert other.get(url).status_code == 404 and other.get(url + "/download").status_code == 404
    manager = make_client()
    manager.login(org["manager"].username)
    assert manager.get("/capa/evidence").status_code == 403
