"""The home page's numbers are those of the lists they link to: "to read" (documents.services.unread_count, computed
from the small sides) is the length of the reading list (unread_query) for every combination of site and service
restrictions; overdue reviews (queries.count_overdue_reviews, by the stored due date or by groups) those of the review list."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from portal.documents import services
from portal.extensions import db
from tests.documents_factories import effective_document


def _both(user) -> tuple[int, int]:
    """(the reading list's length, the home page's number) — also checked against unread_count (one statement)."""
    listed = db.session.scalar(select(func.count()).select_from(services.unread_query(user).subquery()))
    home = db.session.scalar(select(services.unread_count_expression(bool(user.services))),
                             services.unread_parameters(user))
    assert home == db.session.scalar(select(services.unread_count(user))), user.username
    return listed, home


def test_the_to_read_number_is_the_length_of_the_reading_list(app, factories):
    malang, medan = factories.site(name="Malang"), factories.site(name="Medan")
    s147, s108, s129 = (factories.service(code=c, name=c) for c in ("147", "108", "129"))
    users = [factories.user(["agent"], site=malang, services=[s147]),
             factories.user(["agent"], site=medan, services=[s108, s129]),
             factories.user(["agent"], site=malang),  # no services: only documents of no service
             factories.user(["qmr"], site=medan, services=[s147, s108, s129])]
    with app.test_request_context():
        before = {u.id: _both(u) for u in users}
        docs = [effective_document(code="IN.OCC.TELK.P-71"),  # everyone
                effective_document(code="IN.OCC.TELK.P-72", sites=[malang]),
                effective_document(code="IN.OCC.TELK.P-73", services_=[s147]),
                effective_document(code="IN.OCC.TELK.P-74", sites=[malang, medan], services_=[s108, s147]),
                effective_document(code="IN.OCC.TELK.P-75", sites=[medan], services_=[s129]),
                effective_document(code="IN.OCC.TELK.P-76", services_=[s108])]
        # A document with a superseded revision (only the one in force counts) and an acknowledgement of the old one.
        old = docs[0].current
        services.acknowledge(old, users[0])
        draft = services.new_draft(docs[0], users[3])
        services.save_draft(draft, {"effective_date": date(2026, 3, 1), "change_description": "Revisi",
                                    "sections": [{"number": "1", "title": "Tujuan", "body": "Baru."}]})
        draft.status = "approved"
        services.make_effective(draft)
        db.session.flush()
        expected_new = {0: [0, 1, 2, 3], 1: [0, 3, 4, 5], 2: [0, 1], 3: [0, 2, 3, 4, 5]}  # which documents each must read
        for i, user in enumerate(users):
            listed, counted = _both(user)
            assert listed == counted == before[user.id][0] + len(expected_new[i]), user.username
        # Acknowledging what is in force lowers both; acknowledging a document the user need not read is not counted.
        services.acknowledge(docs[1].current, users[0])
        services.acknowledge(docs[4].current, users[3])
        services.acknowledge(docs[1].current, users[3])  # Malang only: users[3] is in Medan
        db.session.flush()
        for user in users:
            listed, counted = _both(user)
            assert listed == counted, user.username
        assert _both(users[0])[1] == before[users[0].id][0] + 3
        assert _both(users[3])[1] == before[users[3].id][0] + 4


def test_the_overdue_review_number_is_the_length_of_the_review_list(app, factories):
    from portal.documents import queries

    with app.test_request_context():
        effective_document(code="IN.OCC.TELK.P-81", effective=date(2019, 1, 1))  # 24 months: due 2021-01-01
        effective_document(code="IN.OCC.TELK.P-82", effective=date(2019, 1, 1)).review_interval_months = 96
        reviewed = effective_document(code="IN.OCC.TELK.P-83", effective=date(2015, 3, 31))
        reviewed.last_reviewed_on = date(2024, 2, 29)  # reviewed since: due 2026-02-28
        effective_document(code="IN.OCC.TELK.P-84", effective=date(2019, 1, 1))  # the same group as P-81
        services.withdraw(effective_document(code="IN.OCC.TELK.P-85", effective=date(2010, 1, 1)), "Tidak dipakai")
        db.session.flush()
        # The due date is kept on the row (counted by index) whenever the ORM writes it...
        assert reviewed.review_due_on == date(2026, 2, 28)
        # ...and a row written without it (a bulk insert) is counted by the rule, in the same statement.
        from sqlalchemy import update

        from portal.documents.models import Document

        db.session.execute(update(Document).where(Document.code == "IN.OCC.TELK.P-84").values(review_due_on=None))
        db.session.execute(update(Document).where(Document.code == "IN.OCC.TELK.P-81")
                           .values(review_due_on=None, last_reviewed_on=None))
        for today in (date(2020, 12, 31), date(2021, 1, 1), date(2026, 2, 27), date(2026, 2, 28), date(2027, 1, 1),
                      date(2035, 1, 1)):
            assert queries.count_overdue_reviews(today) == len(queries.overdue_reviews(today)), today
        assert queries.count_overdue_reviews(date(2026, 2, 28)) - queries.count_overdue_reviews(date(2026, 2, 27)) == 1


def test_the_kept_home_page_numbers_follow_the_register_at_once(app, client, factories):
    """Revisions to sign, overdue reviews and returned drafts are kept while the register is unchanged
    (core/fragments.py memo): a revision submitted, or a change typed outside the portal, shows on the next visit."""
    from sqlalchemy import text

    from portal.documents.models import SUBMITTED

    checker, dc = factories.user(["qa"]), factories.user(["dc"])
    with app.test_request_context():
        doc = effective_document(code="IN.OCC.TELK.P-77")
        rev = services.new_draft(doc, dc)
        db.session.commit()
        rev_id = rev.id
    client.login(checker.username)
    assert "menunggu pemeriksaan Anda" not in client.get("/").get_data(as_text=True)
    assert "menunggu pemeriksaan Anda" not in client.get("/").get_data(as_text=True)  # the kept numbers
    db.session.execute(text("UPDATE revision SET status = :s WHERE id = :id"), {"s": SUBMITTED, "id": rev_id})
    db.session.commit()
    assert "1 revisi menunggu pemeriksaan Anda" in client.get("/").get_data(as_text=True)
