"""SOP reading (issue 15): tables of the source are tables on the page and on paper, a flowchart the text cannot carry
is said so with a link to the original, and the comparison of two revisions goes paragraph by paragraph."""
from __future__ import annotations

import re
from pathlib import Path

from portal.documents.blocks import paragraphs, section_blocks
from portal.documents.diff import diff_paragraphs
from portal.documents.textparse import parse_text
from portal.extensions import db
from tests.documents_factories import effective_document

SEEDS = Path(__file__).resolve().parents[2] / "portal" / "seeds"


def _seed_section(seed: str, number: str) -> dict:
    parsed = parse_text((SEEDS / seed).read_text(encoding="utf-8"), seed)
    s = next(s for s in parsed.sections if s.number == number)
    return {"number": s.number, "title": s.title, "body": s.body, **({"rows": s.rows} if s.rows else {})}


def test_the_swimlane_of_p10_is_a_table_whose_lost_lanes_are_flagged():
    blocks = section_blocks(_seed_section("001_aa3719f2a518c728.txt", "8"))
    assert [b.kind for b in blocks] == ["table"]
    table = blocks[0]
    assert table.head == ["Supervisor", "Fungsi Desk Control", "Fungsi Absen", "Fungsi Cluster", "Keterangan"]
    steps = table.rows[0][-1].split("\n")
    assert steps[0].startswith("9. Fungsi DC") and steps[-1].startswith("20. Fungsi Cluster")
    assert table.diagram  # the lanes were a drawing


def test_a_heading_that_names_a_diagram_with_nothing_under_it_is_flagged():
    blocks = section_blocks(_seed_section("000_39e166ca97460003.txt", "8"))
    assert any(b.diagram and "Diagram Proses" in b.text for b in blocks)


def test_pipe_rows_typed_in_the_editor_are_a_table_and_the_rest_stays_paragraphs():
    blocks = section_blocks({"number": "10", "title": "Rekaman",
                             "body": "Daftar rekaman:\nNo. | Nama | Masa simpan\n1 | F-04 | 2 Tahun\n\nCatatan akhir."})
    assert [b.kind for b in blocks] == ["para", "table", "para"]
    assert blocks[1].head == ["No.", "Nama", "Masa simpan"] and blocks[1].rows == [["1", "F-04", "2 Tahun"]]
    assert not any(b.diagram for b in blocks)


def test_an_edited_section_is_shown_from_its_text_not_from_the_stale_imported_cells():
    section = _seed_section("001_aa3719f2a518c728.txt", "8")
    section["body"] = section["body"].replace("10. Fungsi DC mendistribusikan", "10. Fungsi DC membagikan")
    shown = "\n".join(b.text + " ".join(c for r in b.rows for c in r) for b in section_blocks(section))
    assert "membagikan" in shown and "mendistribusikan" not in shown


def test_the_diff_compares_paragraph_by_paragraph():
    old = ["5.1. Realtime Management dilakukan setiap hari.", "5.2. Dilaksanakan oleh Team Leader.", "5.3. Tidak sendiri."]
    new = ["5.1. Realtime Management dilakukan setiap hari.", "5.2. Dilaksanakan oleh Supervisor.", "5.3. Tidak sendiri.",
           "5.4. Hasilnya dilaporkan harian."]
    out = diff_paragraphs(old, new)
    assert [p.kind for p in out] == ["same", "changed", "same", "added"]
    assert "<del>Team Leader.</del>" in out[1].html and "<ins>Supervisor.</ins>" in out[1].html
    assert paragraphs({"title": "Kebijakan", "body": "a\nb\n\nc"}) == ["Kebijakan", "a", "b", "c"]


def _with_sections(app, code, sections, with_file=False):
    with app.test_request_context():
        doc = effective_document(code=code, number_sections=sections, with_file=with_file)
        db.session.commit()
        return doc.code


def test_the_sop_page_and_its_pdf_show_tables_and_the_flowchart_note(app, client, factories):
    section = _seed_section("001_aa3719f2a518c728.txt", "8")
    code = _with_sections(app, "IN.OCC.TELK.P-91", [section], with_file=True)
    from portal.documents import services

    with app.app_context():  # the editor drops imported cells; put them back as the importer stores them
        rev = services.get_document(code).current
        rev.sections = [section]
        db.session.commit()
    client.login(factories.user(["agent"]).username)
    html = client.get(f"/documents/{code}").get_data(as_text=True)
    assert re.search(r'<table class="table doc-table swimlane">', html)
    assert "<th scope=\"col\">Fungsi Desk Control</th>" in html and "Supervisor | Fungsi" not in html
    assert 'data-testid="diagram-note"' in html and f"/documents/{code}/rev/00/original" in html
    assert client.get(f"/documents/{code}/rev/00.pdf").status_code == 200
    # A later revision carries the table but not the file: the note links the latest original there is.
    with app.test_request_context():
        services.new_draft(services.get_document(code), factories.user(["dc"]))
        db.session.commit()
    client.logout()
    client.login(factories.user(["dc"]).username)
    html = client.get(f"/documents/{code}/rev/01").get_data(as_text=True)
    assert 'data-testid="diagram-note"' in html and f"/documents/{code}/rev/00/original" in html


def test_the_diff_page_marks_only_the_changed_paragraph(app, client, factories):
    from portal.documents import services

    base = [{"number": "5", "title": "Kebijakan Umum", "body": "5.1. Setiap hari.\n\n5.2. Oleh Team Leader.\n\n5.3. Tidak sendiri."}]
    code = _with_sections(app, "IN.OCC.TELK.P-92", base)
    with app.test_request_context():
        doc = services.get_document(code)
        dc = factories.user(["dc"])
        rev = services.new_draft(doc, dc)
        services.save_draft(rev, {"sections": [{**base[0], "body": base[0]["body"].replace("Team Leader", "Supervisor")}]})
        db.session.commit()
        number = rev.number
    client.login(factories.user(["dc"]).username)
    html = client.get(f"/documents/{code}/diff/00/{number}").get_data(as_text=True)
    assert html.count('class="diff-para diff-changed"') == 1 and html.count('class="diff-para diff-same"') == 2
    assert "<del>Team Leader.</del>" in html and "<ins>Supervisor.</ins>" in html


def test_saving_a_draft_keeps_imported_cells_only_for_an_unchanged_section(app, factories):
    from portal.documents import services

    section = _seed_section("001_aa3719f2a518c728.txt", "8")
    with app.test_request_context():
        doc = effective_document(code="IN.OCC.TELK.P-93")
        rev = doc.current
        rev.sections = [section]
        draft = services.new_draft(doc, factories.user(["dc"]))
        services.save_draft(draft, {"sections": [dict(section)]})
        assert draft.sections[0].get("rows") == section["rows"]
        services.save_draft(draft, {"sections": [{**section, "body": section["body"] + "\n21. Langkah baru."}]})
        assert "rows" not in draft.sections[0]
