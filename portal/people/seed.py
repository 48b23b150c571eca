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


# ---------------------------------------------------------------- requirements as text (HR edits a new revision)
def requirements_text(rs: RequirementSet | None) -> str:
    """A requirement set as the lines HR edits: `kind | parameter | the manual's wording`."""
    if rs is None:
        return ""
    lines = []
    for r in rs.requirements:
        p = r.params
        if r.kind == MAX_AGE:
            param = str(p.get("years", ""))
        elif r.kind == MIN_EDUCATION:
            param = p.get("level", "") + (f" {p['field']}" if p.get("field") else "")
        elif r.kind == EXPERIENCE:
            param = "; ".join(",".join(o["positions"]) + f":{o['months']}" for o in p.get("options", []))
        elif r.kind == PSYCH_ASSESSMENT:
            param = p.get("level", "")
        else:
            param = ""
        lines.append(f"{r.kind} | {param} | {r.text}")
    return "\n".join(lines)


def parse_requirements(text: str, position_codes: set[str]) -> tuple[list[tuple[str, dict, str]], list[str]]:
    """Lines `kind | parameter | wording` -> (kind, params, wording); the errors name their line."""
    from portal.people.models import EDUCATION_LEVELS, REQUIREMENT_KINDS

    out, errors = [], []
    for n, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|", 2)]
        while len(parts) < 3:
            parts.append("")
        kind, param, wording = parts
        if kind not in REQUIREMENT_KINDS:
            errors.append(f"{n}: {kind or '—'} ?")
            continue
        params: dict = {}
        try:
            if kind == MAX_AGE:
                params = {"years": int(param)}
            elif kind == MIN_EDUCATION:
                level, _sep, field = param.partition(" ")
                if level not in EDUCATION_LEVELS:
                    raise ValueError(level)
                params = {"level": level, "field": field.strip()}
            elif kind == EXPERIENCE:
                options = []
                for option in param.split(";"):
                    codes, _sep, months = option.strip().rpartition(":")
                    positions = [c.strip() for c in codes.split(",") if c.strip()]
                    if not positions or not set(positions) <= position_codes:
                        raise ValueError(codes)
                    options.append({"positions": positions, "months": int(months), "label": ""})
                params = {"options": options}
            elif kind == PSYCH_ASSESSMENT:
                if not param:
                    raise ValueError(param)
                params = {"level": param}
        except ValueError:
            errors.append(f"{n}: {kind} | {param} ?")
            continue
        out.append((kind, params, wording or param))
    return out, errors


def new_requirement_set(position: Position, source: str, effective_from, text: str, actor) -> RequirementSet:
    """HR records the requirements of a new revision of the manual; earlier sets (and the screenings judged against
    them) stay as they were."""
    from flask_babel import gettext as _

    from portal.core.service import ServiceError

    source = (source or "").strip()
    if not source:
        raise ServiceError(_("Name the manual revision the requirements come from."), "source")
    if any(s.source == source for s in position.requirement_sets):
        raise ServiceError(_("This position already has requirements from %(s)s.", s=source), "source")
    if effective_from is None:
        raise ServiceError(_("Enter the day the requirements apply from."), "effective_from")
    codes = set(db.session.scalars(select(Position.code)))
    requirements, errors = parse_requirements(text, codes)
    if errors:
        raise ServiceError(_("Lines not understood: %(lines)s", lines=", ".join(errors)), "text")
    if not requirements:
        raise ServiceError(_("Write at least one requirement."), "text")
    rs = RequirementSet(position=position, source=source[:120], effective_from=effective_from)
    rs.requirements = [Requirement(sort_order=i, kind=kind, params_json=json.dumps(params, ensure_ascii=False), text=wording)
                       for i, (kind, params, wording) in enumerate(requirements, start=1)]
    db.session.add(rs)
    db.session.flush()
    audit.record("requirement_set.created", rs, new={"position": position.code, "source": rs.source,
                                                     "effective_from": effective_from, "requirements": len(requirements)},
                 actor=actor)
    return rs
