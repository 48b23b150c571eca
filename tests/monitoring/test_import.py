"""The CSV export of the contact-center system: a validation report naming each refused row and why, then all the rows
imported or none; duplicates refused (in the file always; against stored readings unless "replace" was ticked)."""
from __future__ import annotations

import io
import json
from datetime import date, time
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from portal.core.service import ServiceError
from portal.extensions import db
from portal.monitoring import imports, services
from portal.monitoring.models import DailyAnalysis, Reading
from tests.monitoring.conftest import kpi, put

HEADER = "service,kpi,date,interval,value,volume\n"


def upload(text: str, user, replace=False, name="export.csv"):
    return imports.check_file(FileStorage(io.BytesIO(text.encode()), filename=name), replace, user)


def readings() -> int:
    return db.session.scalar(select(func.count(Reading.id)))


def test_a_clean_file_imports_all_its_rows(org, ctx):
    row = upload(HEADER + "147,SL,2026-11-10,08:00,82.5,400\n147,SL,2026-11-10,08:30,78.1,600\n"
                 "108,SCR,10/11/2026,,\"2,4\",3120\n", org["tl"])
    assert row.error_count == 0 and row.rows == 3
    assert readings() == 0  # nothing before the confirmation
    assert imports.confirm(row, org["tl"]) == 3
    sl = kpi("147", "SL")
    assert services.series([sl], date(2026, 11, 10), date(2026, 11, 10)).day(sl, date(2026, 11, 10)).value == Decimal("79.86")
    assert db.session.scalar(select(func.count(DailyAnalysis.id))) == 2  # 147 and 108 on that day
    assert row.status == "imported" and row.data == b""


def test_semicolons_and_indonesian_headers(org, ctx):
    row = upload("layanan;kpi;tanggal;interval;nilai;volume\n147;SCR;2026-11-10;;2,75;1000\n", org["tl"])
    assert row.error_count == 0
    imports.confirm(row, org["tl"])
    assert db.session.scalar(select(Reading.value)) == Decimal("2.75")


@pytest.mark.parametrize("text,message", [
    ("", "kosong"), ("\n\n", "kosong"), ("tanggal,nilai\n2026-11-10,80\n", "belum ada: service, kpi"),
    (HEADER, "tanpa baris"),
])
def test_a_file_that_cannot_be_read_is_refused_whole(org, ctx, text, message):
    with pytest.raises(ServiceError) as exc:
        upload(text, org["tl"])
    assert exc.value.field == "file" and message in exc.value.message.lower()


def test_not_a_csv_file_is_refused(org, ctx):
    with pytest.raises(ServiceError):
        upload(HEADER + "147,SL,2026-11-10,,80,\n", org["tl"], name="export.xlsx")
    with pytest.raises(ServiceError):
        imports.check_file(FileStorage(io.BytesIO(b"PK\x03\x04binary"), filename="x.csv"), False, org["tl"])


def test_the_report_names_each_bad_row_and_nothing_is_imported(org, ctx):
    row = upload(HEADER + "147,SL,2026-11-10,08:00,80,100\n"        # 2 ok
                 "147,SL,2026-13-45,08:00,80,100\n"                 # 3 bad date
                 "147,SL,2026-11-10,8h,80,100\n"                    # 4 bad interval
                 "147,SL,2026-11-10,09:00,eighty,100\n"             # 5 bad number
                 "147,SL,2026-11-10,09:30,180,100\n"                # 6 out of range
                 "147,XX,2026-11-10,,80,\n"                         # 7 unknown KPI
                 "147,SL,2026-11-10,08:00,81,100\n"                 # 8 duplicate of row 2
                 "147,SL,2099-01-01,,80,\n"                         # 9 future
                 "147,SL,2026-11-10,10:00,80,1.5\n"                 # 10 volume not whole
                 "TAM-CT0,QVS,2026-11-01,,95,\n", org["tl"])        # 11 computed by the portal
    errors = {n: reason for n, reason in json.loads(row.errors_json)}
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "bukan tanggal" in errors[3] and "bukan jam" in errors[4] and "bukan angka" in errors[5]
    assert "di luar rentang" in errors[6] and "tidak dikenal" in errors[7] and "baris 2" in errors[8]
    assert "masa depan" in errors[9] and "bilangan bulat" in errors[10] and "dihitung oleh portal" in errors[11]
    with pytest.raises(ServiceError):
        imports.confirm(row, org["tl"])
    assert readings() == 0


def test_a_period_already_stored_is_refused_or_replaced(org, ctx):
    put(kpi("147", "SL"), date(2026, 11, 10), 70, 100, time(8))
    text = HEADER + "147,SL,2026-11-10,08:00,85,100\n"
    refused = upload(text, org["tl"])
    assert refused.error_count == 1 and "sudah tersimpan" in json.loads(refused.errors_json)[0][1]
    replaced = upload(text, org["tl"], replace=True)
    assert replaced.error_count == 0
    imports.confirm(replaced, org["tl"])
    assert readings() == 1 and db.session.scalar(select(Reading.value)) == Decimal("85.00")


def test_only_the_uploader_imports_and_only_once(org, ctx):
    row = upload(HEADER + "147,SL,2026-11-10,,80,\n", org["tl"])
    with pytest.raises(ServiceError):
        imports.confirm(row, org["tl2"])
    imports.confirm(row, org["tl"])
    with pytest.raises(ServiceError):
        imports.confirm(row, org["tl"])
    with pytest.raises(ServiceError):
        imports.discard(row, org["tl"])
