"""A field that repeats the record's header (the "Layanan" of F-06) is filled in from it and locked (issue 15)."""
from __future__ import annotations

from datetime import date

import pytest

from portal.core.service import ServiceError
from portal.extensions import db
from portal.records import services
from portal.records.schema import data_from_form, parse_schema, schema_text
from tests.records_factories import online_form

F06 = "IN.OCC.TELK.F-06"


def test_service_and_site_types_parse_with_their_indonesian_aliases():
    schema, errors = parse_schema("layanan | Layanan | layanan | required\nlokasi | Lokasi | lokasi\n")
    assert errors == []
    assert [f["type"] for f in schema["sections"][0]["fields"]] == ["service", "site"]
    assert parse_schema(schema_text(schema))[0] == schema
    _bad, errors = parse_schema("t | Tabel | table\n  layanan | Layanan | service\n")
    assert errors  # a table column cannot repeat the header


@pytest.fixture
def f06(app, factories):
    with app.test_request_context():
        online_form(F06)
        db.session.commit()
    site = factories.site(name="Malang")
    service = factories.service(code="147", name="147")
    other = factories.service(code="108", name="108")
    tl = factories.user(["tl"], site=site, services=[service, other])
    return {"site": site, "service": service, "other": other, "tl": tl}


def test_the_f06_service_is_filled_in_from_the_header_and_cannot_be_changed(app, f06):
    with app.test_request_context():
        tl = db.session.merge(f06["tl"])
        record = services.create(F06, tl, f06["site"].id, f06["service"].id, date(2026, 11, 2))
        assert record.data["layanan_line"] == "147"
        posted = data_from_form(services.schema_of(record.form_revision), {"f-layanan_line": "108", "f-shift": "Pagi"})
        assert "layanan_line" not in posted  # never read from the form
        services.save_draft(record, tl, {**posted, "layanan_line": "108"})
        assert record.data["layanan_line"] == "147" and record.data["shift"] == "Pagi"


def test_an_f06_record_needs_a_service_in_its_header(app, f06):
    with app.test_request_context():
        tl = db.session.merge(f06["tl"])
        with pytest.raises(ServiceError) as refused:
            services.create(F06, tl, f06["site"].id, None, date(2026, 11, 2))
        assert refused.value.field == "service_id"


def test_the_record_page_shows_the_service_locked_not_as_a_choice(app, client, f06):
    with app.test_request_context():
        tl = db.session.merge(f06["tl"])
        record = services.create(F06, tl, f06["site"].id, f06["service"].id, date(2026, 11, 2))
        db.session.commit()
        record_id = record.id
    client.login(f06["tl"].username)
    html = client.get(f"/records/{record_id}").get_data(as_text=True)
    assert 'data-testid="locked-layanan_line"' in html and 'readonly aria-readonly="true"' in html
    assert 'value="147"' in html and '<select id="f-layanan_line"' not in html
    client.post_form(f"/records/{record_id}/save", {"f-layanan_line": "108", "f-shift": "Siang"},
                     token_from=f"/records/{record_id}")
    with app.app_context():
        from portal.records.models import Record

        assert db.session.get(Record, record_id).data["layanan_line"] == "147"


def test_an_older_form_asking_layanan_as_a_choice_is_filled_in_and_locked_when_the_header_service_is_an_option(
        app, client, factories):
    """F-04 (signed before the service type existed) asks "Layanan" as a choice of 147, 108, Social Media TelkomCare."""
    with app.test_request_context():
        online_form("IN.OCC.TELK.F-04")
        db.session.commit()
    site = factories.site()
    s147 = factories.service(code="147", name="147")
    sosmed = factories.service(code="SOSMED", name="Social Media TelkomCare")
    tam = factories.service(code="TAM-CT0", name="TAM CT-0 PraNPC")
    tl = factories.user(["tl"], site=site, services=[s147, sosmed, tam])
    with app.test_request_context():
        tl = db.session.merge(tl)
        by_code = services.create("IN.OCC.TELK.F-04", tl, site.id, sosmed.id, date(2026, 11, 2))
        assert by_code.data["layanan_line"] == "Social Media TelkomCare"  # the option naming the header's service
        services.save_draft(by_code, tl, {"layanan_line": "147"})
        assert by_code.data["layanan_line"] == "Social Media TelkomCare"
        assert services.locked_fields(by_code) == {"layanan_line"}
        not_offered = services.create("IN.OCC.TELK.F-04", tl, site.id, tam.id, date(2026, 11, 2))
        assert services.locked_fields(not_offered) == set()  # the form does not offer it: left to the user
        services.save_draft(not_offered, tl, {"layanan_line": "108"})
        assert not_offered.data["layanan_line"] == "108"
        db.session.commit()
        ids = by_code.id, not_offered.id
    client.login(tl.username)
    assert 'data-testid="locked-layanan_line"' in client.get(f"/records/{ids[0]}").get_data(as_text=True)
    assert '<select id="f-layanan_line"' in client.get(f"/records/{ids[1]}").get_data(as_text=True)
