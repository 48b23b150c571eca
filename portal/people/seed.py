"""The positions of OB.IN.CC.TELK.MNOP-01.Rev.00 §2.1 with their requirements, as data (`flask people seed-positions`
and `flask demo load` add them; running it twice changes nothing)."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from portal.core import audit
from portal.extensions import db
from portal.people.models import (ALL_TESTS, EXPERIENCE, HEALTH_CERTIFICATE, MAX_AGE, MIN_EDUCATION, NOT_UNDER_COACHING,
                                  PERSON_CHECK, PSYCH_ASSESSMENT, KpiTarget, Position, Requirement, RequirementSet)

SOURCE = "OB.IN.CC.TELK.MNOP-01.Rev.00 §2.1"
EFFECTIVE = date(2026, 1, 5)

HEALTH = (HEALTH_CERTIFICATE, {}, "Sehat jasmani dan rohani (Surat Keterangan sehat dari Dokter).")
COMPUTER = (PERSON_CHECK, {}, "Mampu mengoperasikan komputer, Windows & Ms Office.")
COMMUNICATION = (PERSON_CHECK, {}, "Memiliki kemampuan komunikasi yang baik.")
NO_COACHING = (NOT_UNDER_COACHING, {}, "Tidak pernah memiliki catatan kinerja buruk selama masa kerja (sedang tidak dalam masa pembinaan).")
D3 = (MIN_EDUCATION, {"level": "D3", "field": ""}, "Pendidikan Min. D3 semua jurusan.")
SUPERVISOR_SKILLS = [
    (PERSON_CHECK, {}, "Memiliki kompetensi khusus di bidang Outbound Call (sales & retention skill), mampu menganalisa dan "
                       "menilai kualitas layanan, menjalankan proses Quality Assurance (Validation Process), mengarahkan, "
                       "membimbing dan memotivasi tim, mengelola data dan membuat laporan."),
    (PERSON_CHECK, {}, "Memiliki kompetensi umum jabatan Supervisor: memimpin, memecahkan masalah, sikap baik dan profesional."),
    (PERSON_CHECK, {}, "Kemampuan berkomunikasi yang baik secara lisan dan tulisan serta presentasi yang efektif."),
    (PERSON_CHECK, {}, "Memiliki kemauan/inisiatif untuk belajar dan bersedia mengikuti pelatihan proses bisnis."),
    (PERSON_CHECK, {}, "Menguasai penggunaan komputer dan aplikasi office."),
]


def _age(years: int) -> tuple:
    return (MAX_AGE, {"years": years}, f"Usia maks. {years} tahun pada saat diterima bekerja.")


def _psych(level: str) -> tuple:
    return (PSYCH_ASSESSMENT, {"level": level}, f"Lulus Assessment Psikologis untuk jabatan {level}.")


def _experience(text: str, *options: tuple[list[str], int, str]) -> tuple:
    return (EXPERIENCE, {"options": [{"positions": p, "months": m, "label": label} for p, m, label in options]}, text)


# code, name, portal role of a hire who signs in, requirements (kind, params, the manual's wording)
POSITIONS = [
    ("AGENT", "Agent", "agent", [
        _age(30), D3,
        (PERSON_CHECK, {}, "Mampu berbahasa Indonesia dengan baik dan benar."),
        (PERSON_CHECK, {}, "Memiliki kualitas suara yang baik / artikulasi jelas (tidak cedal)."),
        (PERSON_CHECK, {}, "Bersedia bekerja dengan target operasional (KPI Ops)."),
        COMPUTER, HEALTH,
        (ALL_TESTS, {}, "Lulus dari seluruh rangkaian test."),
    ]),
    ("TL", "Team Leader", "tl", [
        _age(35),
        (MIN_EDUCATION, {"level": "D3", "field": ""}, "Pendidikan Min. D3 semua jurusan."),
        _experience("Pengalaman sebagai agent minimal 1 tahun.", (["AGENT"], 12, "Agent")),
        COMMUNICATION,
        (PERSON_CHECK, {}, "Memiliki leadership & berpengalaman mengelola agent / tim."),
        NO_COACHING,
        (PERSON_CHECK, {}, "Berorientasi pada pencapaian target."),
        (PERSON_CHECK, {}, "Memiliki analytic thinking."),
        COMPUTER, HEALTH, _psych("Team Leader Layanan"),
    ]),
    ("SPV-OPS", "Supervisor Operational", "spv", [
        _age(35), D3, COMMUNICATION,
        _experience("Pengalaman sebagai Team Leader minimal 2 tahun atau supervisor contact center / sales / retention "
                    "activity minimal 1 tahun.",
                    (["TL"], 24, "Team Leader"), (["SPV-OPS", "SPV-QUALITY"], 12, "Supervisor contact center / sales / retention")),
        *SUPERVISOR_SKILLS, HEALTH, _psych("Supervisor"),
    ]),
    ("QCO", "Quality Control Officer (QCO)", "qco", [
        _age(30), D3,
        (PERSON_CHECK, {}, "Bersedia bekerja dengan target operasional (KPI Ops)."),
        _experience("Pengalaman sebagai Agent Contact Center minimal 2 tahun dan atau sebagai Team Leader minimal 1 tahun.",
                    (["AGENT"], 24, "Agent Contact Center"), (["TL"], 12, "Team Leader")),
        (PERSON_CHECK, {}, "Mampu menjalankan proses Quality Control sesuai rule (tapping - validasi - kalibrasi)."),
        (PERSON_CHECK, {}, "Memiliki kemampuan komunikasi yang baik secara lisan maupun tulisan."),
        (PERSON_CHECK, {}, "Memahami proses operasional dan interaksi pada layanan OBC."),
        (PERSON_CHECK, {}, "Mampu mengidentifikasi, menganalisa masalah, problem solving dan membuat keputusan."),
        (PERSON_CHECK, {}, "Menguasai komputer dan aplikasi office; mampu mengolah, menganalisa dan melaporkan data contact center."),
        HEALTH, (ALL_TESTS, {}, "Lulus dari seluruh rangkaian tes."),
    ]),
    ("QA", "Quality Assurance", "qa", [
        _age(35), D3,
        _experience("Pengalaman sebagai QCO minimal 1 tahun.", (["QCO"], 12, "QCO")),
        COMMUNICATION,
        (PERSON_CHECK, {}, "Memiliki leadership & berpengalaman mengelola agent / tim."),
        NO_COACHING,
        (PERSON_CHECK, {}, "Berorientasi pada pencapaian target."),
        (PERSON_CHECK, {}, "Memiliki analytic thinking."),
        COMPUTER, HEALTH, _psych("Team Leader Layanan"),
    ]),
    ("SPV-QUALITY", "Supervisor Quality", "spv", [
        _age(35), D3, COMMUNICATION,
        _experience("Pengalaman sebagai Team Leader atau QA minimal 2 tahun atau supervisor contact center / sales / "
                    "retention activity minimal 1 tahun.",
                    (["TL", "QA"], 24, "Team Leader atau QA"),
                    (["SPV-OPS", "SPV-QUALITY"], 12, "Supervisor contact center / sales / retention")),
        *SUPERVISOR_SKILLS, HEALTH, _psych("Supervisor"),
    ]),
    ("TRAINER", "Trainer", "trainer", [
        _age(30), D3,
        (PERSON_CHECK, {}, "Memahami subjek pengajaran dan materi yang akan disampaikan dengan sangat baik."),
        (PERSON_CHECK, {}, "Memiliki komunikasi yang jelas (komunikatif), percaya diri."),
        (PERSON_CHECK, {}, "Mampu membuat konsep dan menyusun materi secara kreatif; familiar dengan aplikasi dan tools pelatihan."),
        (PERSON_CHECK, {}, "Memiliki kesabaran, membangun hubungan baik dengan peserta, personality yang baik."),
        COMPUTER, _psych("Team Leader Layanan"),
    ]),
    ("QC-T2", "QC Tier 2", "qco", [
        _age(35), D3,
        _experience("Pengalaman sebagai QCO minimal 1 tahun.", (["QCO"], 12, "QCO")),
        COMMUNICATION, NO_COACHING,
        (PERSON_CHECK, {}, "Mampu menganalisa, menilai kualitas layanan dan menjalankan proses Quality Assurance (Validation Process)."),
        (PERSON_CHECK, {}, "Memiliki analytic thinking, mampu memahami, menginterpretasi dan berkomunikasi dengan data."),
        COMPUTER, HEALTH, _psych("Quality Control"),
    ]),
    ("HD-SUPPORT", "HD Support", "", [
        _age(35),
        (MIN_EDUCATION, {"level": "D3", "field": "Teknik Informatika/Sistem Informasi (atau jurusan komputer lainnya)"},
         "Pendidikan Min. D3 Teknik Informatika/Sistem Informasi (atau jurusan komputer lainnya)."),
        COMMUNICATION, HEALTH,
        (PERSON_CHECK, {}, "Mampu menjalankan aplikasi Windows, menguasai Ms Office min. Word dan Excel."),
        (PERSON_CHECK, {}, "Memiliki kemampuan dasar-dasar pemrograman dan database."),
        (PERSON_CHECK, {}, "Memiliki kemauan mempelajari aplikasi secara sistematis."),
        _psych("support"),
    ]),
]
# Positions the portal's people hold that §2.1 gives no requirements for.
OTHER_POSITIONS = [("MGR-OPS", "Manager Operasional", "manager"), ("HR", "HR Recruitment", "hr")]


def seed_positions() -> list[str]:
    """Create the positions and their requirement set of MNOP-01 Rev.00 §2.1 that are missing."""
    out = []
    have = {p.code: p for p in db.session.scalars(select(Position))}
    for order, (code, name, role, requirements) in enumerate(POSITIONS, start=1):
        position = have.get(code)
        if position is None:
            position = Position(code=code, name=name, role=role, sort_order=order)
            db.session.add(position)
            db.session.flush()
            out.append(f"position {code} created")
        if any(s.source == SOURCE for s in position.requirement_sets):
            continue
        rs = RequirementSet(position=position, source=SOURCE, effective_from=EFFECTIVE)
        rs.requirements = [Requirement(sort_order=i, kind=kind, params_json=json.dumps(params, ensure_ascii=False), text=text)
                           for i, (kind, params, text) in enumerate(requirements, start=1)]
        db.session.add(rs)
        db.session.flush()
        audit.record("requirement_set.created", rs, new={"position": code, "source": SOURCE,
                                                         "requirements": len(requirements)}, actor=None)
    for order, (code, name, role) in enumerate(OTHER_POSITIONS, start=len(POSITIONS) + 1):
        if code not in have:
            db.session.add(Position(code=code, name=name, role=role, sort_order=order))
            out.append(f"position {code} created")
    # The target of "Pemenuhan Jumlah SDM" (MNOP-01 Bab III) is data; without a row the manual's 95 % applies.
    if db.session.scalar(select(KpiTarget.id).where(KpiTarget.code == "staffing").limit(1)) is None:
        db.session.add(KpiTarget(code="staffing", valid_from=date(2026, 1, 5), target=95,
                                 source="OB.IN.CC.TELK.MNOP-01.Rev.00 Bab III"))
        out.append("KPI target Pemenuhan Jumlah SDM 95 %")
    db.session.flush()
    return out
