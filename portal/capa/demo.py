"""Demo data of the capa module: five nonconformities in different states, with root causes and actions —
one from an internal audit whose action is overdue for `tl`, one opened from a tapping RETURN cluster, one waiting for
its effectiveness check, one reopened after an ineffective check, and one closed."""
from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from portal.auth.models import Service, Site, User
from portal.capa import services as capa
from portal.capa.models import Nonconformity
from portal.core.i18n import local_today
from portal.extensions import db


def _back(today: date, months: int, day: int) -> date:
    y, m = today.year, today.month - months
    while m < 1:
        y, m = y - 1, m + 12
    candidate = date(y, m, min(day, 28))
    return min(candidate, today)


def load() -> list[str]:
    if db.session.scalar(select(Nonconformity.id).limit(1)) is not None:
        return []
    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(["qmr", "qa", "tl", "spv", "manager"])))}
    if not {"qmr", "qa", "tl", "spv"} <= set(users):
        return ["capa demo skipped: the demo users are missing"]
    with current_app.test_request_context():
        return _load(users)


def _load(users) -> list[str]:
    qmr, qa, tl, spv = users["qmr"], users["qa"], users["tl"], users["spv"]
    today = local_today()
    sites = {s.code: s.id for s in db.session.scalars(select(Site))}
    services = {s.code: s.id for s in db.session.scalars(select(Service))}
    mlg, pusat = sites.get("MLG"), sites.get("PUSAT")
    from portal.documents.models import Document

    codes = set(db.session.scalars(select(Document.code)))

    def doc(code):
        return code if code in codes else ""

    def nc(data, actor, kind="", ref=""):
        base = {"site_id": mlg, "containment": "", "correction": "", "process": "", "clause": ""}
        return capa.raise_nc(base | data, actor, kind, ref)

    out = []
    # 1. Internal audit: analysed, one action overdue for tl.
    found = _back(today, 1, 10)
    one = nc({"title": "Recovery plan tidak didistribusikan ke TL", "source": "internal_audit", "classification": "major",
              "found_on": found, "service_id": services.get("147"), "process": "Real-time management",
              "document_code": doc("IN.OCC.TELK.P-10"), "clause": "8. Prosedur, langkah 12–14 (distribusi recovery plan)",
              "description": "Audit internal menemukan tiga recovery plan bulan lalu tidak memiliki bukti distribusi ke TL (R13).",
              "containment": "Recovery plan yang ada didistribusikan ulang melalui grup TL.", "containment_on": found}, qmr)
    capa.save_root_cause(one, [("Mengapa recovery plan tidak sampai ke TL?", "Desk control mengirim lisan saja."),
                               ("Mengapa hanya lisan?", "Tidak ada format distribusi tertulis di P-10."),
                               ("Mengapa tidak ada format?", "Revisi 02 belum mengatur rekaman distribusi.")],
                         {"method": "Langkah distribusi tidak menyebut rekaman R13.", "man": "Desk control baru belum dilatih."},
                         "Prosedur P-10 belum mewajibkan rekaman distribusi recovery plan.", qmr)
    capa.add_action(one, "Sosialisasi ulang langkah distribusi recovery plan kepada seluruh TL dan desk control.", tl,
                    today - timedelta(days=5), qmr)
    capa.add_action(one, "Usulkan revisi P-10: rekaman distribusi (R13) wajib untuk setiap recovery plan.", qa,
                    today + timedelta(days=20), qmr)
    capa.set_check(one, today + timedelta(days=45), "manual", {}, "Sampling 10 recovery plan bulan berikutnya: semuanya punya bukti distribusi.", qmr)
    out.append(one.number)

    # 2. From a tapping RETURN cluster (the largest of this or last month), actions in progress for spv.
    from portal.capa.sources import return_clusters

    clusters = return_clusters(today.replace(day=1)) or return_clusters(_back(today, 1, 1).replace(day=1))
    if clusters:
        ref, label, n = clusters[0]
        from portal.capa import links

        ev = links.load_source("tapping", ref)
        two = nc({"title": ev.title[:200], "source": "tapping", "classification": "minor",
                  "found_on": min(today, ev.occurred_on.replace(day=min(today.day, 27)) if ev.occurred_on else today),
                  "service_id": ev.service_id, "site_id": ev.site_id, "process": "Tapping validasi agree",
                  "document_code": doc("OB.IN.OCC.TELK.P-02.Rev.00") or doc("OB.IN.OCC.TELK.P-02"), "clause": "5.2 Tapping validasi agree",
                  "description": ev.description}, qa, "tapping", ref)
    else:
        two = nc({"title": "RETURN berulang: persetujuan pelanggan tidak jelas", "source": "tapping", "classification": "minor",
                  "found_on": _back(today, 0, 3), "service_id": services.get("TAM-CT0"), "process": "Tapping validasi agree",
                  "description": "Beberapa RETURN dengan alasan R01 dalam satu tim bulan ini."}, qa)
    capa.save_root_cause(two, [("Mengapa persetujuan tidak jelas?", "Agent tidak meminta kata 'setuju' secara eksplisit."),
                               ("Mengapa tidak diminta?", "Skrip penutupan tidak memuat kalimat konfirmasi.")],
                         {"method": "Skrip penutupan tanpa konfirmasi persetujuan.", "measurement": "Parameter P-03 §5.4 tidak dibahas saat briefing."},
                         "Skrip penutupan belum memuat konfirmasi persetujuan eksplisit.", qa)
    capa.add_action(two, "Tambahkan kalimat konfirmasi persetujuan ke skrip penutupan dan briefing tim.", spv,
                    today + timedelta(days=10), qa)
    capa.set_check(two, today + timedelta(days=40), "manual", {}, "RETURN alasan R01 tim ini turun di bawah 2 per bulan.", qa)
    out.append(two.number)

    # 3. Waiting for its effectiveness check (tl's action done).
    found = _back(today, 2, 14)
    three = nc({"title": "Short call rate 147 di atas target", "source": "kpi", "classification": "minor", "found_on": found,
                "service_id": services.get("147"), "process": "Penanganan pelanggan", "document_code": doc("IN.OCC.TELK.P-01"),
                "clause": "7. Indikator kinerja (short call rate)",
                "description": "Analisis KPI: short call rate 147 mencapai 6,4 % selama dua minggu (target ≤ 5 %).",
                "correction": "Panggilan pendek disampling harian oleh TL cluster.", "correction_on": found + timedelta(days=1)}, qmr)
    capa.save_root_cause(three, [("Mengapa banyak panggilan pendek?", "Agent baru menutup panggilan saat sistem lambat.")],
                         {"machine": "Aplikasi CRM lambat pada jam sibuk.", "man": "Agent baru belum paham prosedur hold."},
                         "Agent baru tidak memakai hold saat CRM lambat.", qmr)
    capa.add_action(three, "Refreshment prosedur hold untuk agent baru 147.", tl, found + timedelta(days=14), qmr)
    capa.complete_action(three.actions[0], "Refreshment dilaksanakan untuk 12 agent; daftar hadir terlampir di modul pelatihan.", tl)
    capa.set_check(three, today + timedelta(days=7), "manual", {}, "Tingkat panggilan pendek (SCR) 147 ≤ 5 % selama satu bulan penuh.", qmr)
    out.append(three.number)

    # 4. Reopened after an ineffective check.
    found = _back(today, 3, 8)
    four = nc({"title": "Keluhan pelanggan: informasi tarif add-on salah", "source": "complaint", "classification": "major",
               "found_on": found, "service_id": services.get("TAM-ADDON") or services.get("TAM-CT0"),
               "process": "Penawaran add-on", "description": "Pelanggan mengeluhkan tarif yang disampaikan berbeda dari tagihan.",
               "containment": "Tagihan pelanggan dikoreksi.", "containment_on": found + timedelta(days=2)}, qa)
    capa.save_root_cause(four, [("Mengapa tarif salah?", "Agent memakai daftar tarif lama."),
                                ("Mengapa daftar lama dipakai?", "Daftar tarif baru tidak disosialisasikan.")],
                         {"material": "Daftar tarif cetak lama masih di meja agent."}, "Sosialisasi produk baru tidak menjangkau semua shift.", qa)
    capa.add_action(four, "Tarik daftar tarif lama dari meja agent dan sosialisasikan tarif baru.", spv, found + timedelta(days=10), qa)
    capa.complete_action(four.actions[0], "Daftar lama ditarik; sosialisasi pada briefing pagi.", spv)
    capa.set_check(four, found + timedelta(days=40), "manual", {}, "Tidak ada keluhan tarif add-on selama satu bulan.", qa)
    capa.record_check(four, "ineffective", "Masih ada dua keluhan tarif pada shift malam: sosialisasi tidak menjangkau shift malam.", qmr)
    capa.add_action(four, "Sosialisasi tarif baru untuk shift malam dan tes pemahaman produk.", tl, today + timedelta(days=14), qa)
    out.append(four.number)

    # 5. Closed: effective check by qmr.
    found = _back(today, 4, 5)
    five = nc({"title": "Salinan terkendali P-01 rev lama masih di meja supervisor", "source": "external_audit",
               "classification": "observation", "found_on": found, "site_id": mlg or pusat, "process": "Pengendalian dokumen",
               "document_code": doc("IN.OCC.TELK.P-01"), "clause": "Salinan terkendali",
               "description": "Auditor eksternal menemukan salinan revisi lama P-01 di meja supervisor Malang.",
               "correction": "Salinan lama ditarik dan dimusnahkan.", "correction_on": found}, qmr)
    capa.save_root_cause(five, [("Mengapa salinan lama masih ada?", "Penarikan salinan tidak dicek per meja.")],
                         {"method": "Penarikan salinan tanpa daftar periksa."}, "Penarikan salinan lama tidak diverifikasi.", qmr)
    capa.add_action(five, "Daftar periksa penarikan salinan terkendali per meja.", tl, found + timedelta(days=7), qmr)
    capa.complete_action(five.actions[0], "Daftar periksa dibuat dan dipakai pada penarikan berikutnya.", tl)
    capa.set_check(five, found + timedelta(days=30), "manual", {}, "Inspeksi meja: tidak ada salinan tidak berlaku.", qmr)
    capa.record_check(five, "effective", "Inspeksi 12 meja supervisor dan TL: tidak ada salinan tidak berlaku.", qmr)
    out.append(five.number)
    db.session.flush()
    return [f"nonconformities {', '.join(out)}"]
