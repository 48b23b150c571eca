"""Field schemas: the text syntax, its errors by line, the round trip, validation of typed data."""
from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from portal.records import catalogue
from portal.records.schema import data_from_form, fields, parse_schema, schema_text, validate
from tests.records_factories import SMALL_SCHEMA


@pytest.fixture(autouse=True)
def _ctx(app):
    with app.test_request_context():
        yield


@pytest.mark.parametrize("code", ["IN.OCC.TELK.F-03", "IN.OCC.TELK.F-04", "IN.OCC.TELK.F-06", "IN.OCC.TELK.F-21",
                                  "OB.IN.OCC.TELK.F-01"])
def test_shipped_schemas_parse_and_round_trip(code):
    schema, errors = parse_schema(catalogue.text_for(code))
    assert errors == []
    assert any(f["type"] == "table" for f in fields(schema)), "each shipped form has a repeating table"
    assert {f["signer"] for f in fields(schema) if f["type"] == "signature"} == {"submitter", "approver"}
    again, errors = parse_schema(schema_text(schema))
    assert (again, errors) == (schema, [])


def test_schema_structure():
    schema, errors = parse_schema(SMALL_SCHEMA)
    assert errors == []
    assert [s["title"] for s in schema["sections"]] == ["Identitas", "Rincian"]
    shift = fields(schema)[0]
    assert shift == {"key": "shift", "label": "Shift", "type": "choice", "required": True, "options": ["Pagi", "Siang", "Malam"]}
    table = next(f for f in fields(schema) if f["type"] == "table")
    assert [c["key"] for c in table["columns"]] == ["agent", "jam", "uraian"]
    assert next(f for f in fields(schema) if f["key"] == "skor")[("min")] == "0"


@pytest.mark.parametrize("text, fragment", [
    ("a | A", "kunci | label | tipe"),
    ("Bad Key | A | text", "huruf kecil"),
    ("a | A | colour", "tipe colour tidak dikenal"),
    ("a | A | choice: one", "dua opsi"),
    ("a | A | choice: x, x", "dua kali"),
    ("a | A | text\na | B | text", "baris 2: isian a muncul dua kali"),
    ("a | A | table", "tidak memiliki kolom"),
    ("a | A | signature: boss", "submitter atau signature: approver"),
    ("a | A | number: lots", "min..maks"),
    ("  a | A | text", "menjorok"),
    ("t | T | table\n  s | S | signature: submitter", "tidak boleh bertipe signature"),
    ("a | A | text | sometimes", "opsi sometimes tidak dikenal"),
    ("", "tidak memiliki isian"),
])
def test_schema_errors_name_the_line_and_the_problem(text, fragment):
    schema, errors = parse_schema(text)
    assert errors, text
    messages = " ".join(str(e) for e in errors).lower()
    assert fragment.lower() in messages, messages


def test_indonesian_type_aliases():
    schema, errors = parse_schema("tgl | Tanggal | tanggal | wajib\nok | Sesuai | ya/tidak\np | Petugas | staf")
    assert errors == []
    assert [(f["type"], f["required"]) for f in fields(schema)] == [("date", True), ("yesno", False), ("staff", False)]


def test_validation_reports_each_field_and_cell():
    schema, _ = parse_schema(SMALL_SCHEMA)
    data = {"shift": "Subuh", "pic": "999", "skor": "12x", "catatan": "",
            "baris": [{"agent": "", "jam": "25:99", "uraian": "x"}]}
    errors = validate(schema, data, staff_ids={1, 2})
    assert set(errors) == {"shift", "pic", "skor", "baris-0-agent", "baris-0-jam"}
    assert set(validate(schema, {"shift": "Pagi", "pic": "1", "skor": "101", "baris": []}, {1})) == {"skor", "baris"}
    ok = {"shift": "Pagi", "pic": "1", "skor": "99,5", "catatan": "", "baris": [{"agent": "2", "jam": "08:30", "uraian": ""}]}
    assert validate(schema, ok, {1, 2}) == {}


def test_form_data_keeps_what_was_typed_and_drops_empty_rows():
    schema, _ = parse_schema(SMALL_SCHEMA)
    form = MultiDict({"f-shift": "Pagi", "f-pic": " 7 ", "f-skor": "abc", "f-baris-rows": "3",
                      "f-baris-0-agent": "7", "f-baris-0-jam": "08:00", "f-baris-1-agent": "", "f-baris-1-jam": "",
                      "f-baris-2-uraian": "terlambat"})
    data = data_from_form(schema, form)
    assert data["skor"] == "abc" and data["pic"] == "7"
    assert data["baris"] == [{"agent": "7", "jam": "08:00", "uraian": ""}, {"agent": "", "jam": "", "uraian": "terlambat"}]
    assert data_from_form(schema, MultiDict({"f-baris-rows": "x"}))["baris"] == []
    assert len(data_from_form(schema, MultiDict({"f-baris-rows": "100000", "f-baris-0-uraian": "a"}))["baris"]) == 1
