"""Inbound scorecards (IN.OCC.TELK.P-01 §10: IN.QCC.TELK.S-01 108, S-03 147, S-11 social media): the scorecard of a
standard is a parameter set of kind "scorecard" (weighted parameters in sections, critical items), tied to the
standard's document code and revision like the outbound parameters, so a new revision starts a new scorecard version
and the old scores keep theirs. A QCO samples an inbound call (manual entry) and scores it; QA runs calibration rounds
where several scorers score the same call independently.

The arithmetic (written down because the standards' text is not in the seeds): a parameter is met, not met or not
applicable; the score is the weight of the parameters met over the weight of the applicable ones, out of 100, with two
decimals. A critical item not met fails the call outright: its score is 0 and it is marked fatal (and, for an official
score, a coaching finding is proposed, as for a RETURN). A critical item is always applicable and a critical item not
met needs its comment. Services change rows, flush and write their audit events; they never commit."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.auth.models import Service
from portal.core import audit
from portal.core.db import utcnow
from portal.core.service import ServiceError
from portal.extensions import db
from portal.tapping.models import (ANSWERS, CLOSED, MET, NOT_APPLICABLE, NOT_MET, OPEN, SCORECARD, Calibration, InboundCall,
                                   Parameter, ParameterSet, Score)
from portal.tapping.permissions import can_calibrate, can_open_calibration, can_score, sees_inbound_number

TWO = Decimal("0.01")

# ---------------------------------------------------------------- the scorecards of the three standards (seed)
# The seeds name the standards (IN.OCC.TELK.P-01 §10) but do not carry their text: these parameters are written from
# the customer-handling steps of P-01 (verification, information per guide, ticket, closing per S-01) and common
# contact-center practice. Each line: section, clause, weight, critical, wording. Weights add up to 100.
SCORECARDS = {
    "108": ("IN.QCC.TELK.S-01", "00", "Standar Penilaian Parameter Pengujian Call 108", [
        ("Pembukaan", "S-01 A.1", 10, False, "Salam pembuka sesuai standar 108 dan menyebutkan nama agent"),
        ("Pencarian informasi", "S-01 B.1", 15, False, "Mengonfirmasi nama/alamat yang dicari dengan mengeja ulang"),
        ("Pencarian informasi", "S-01 B.2", 15, False, "Mencari di basis data direktori dengan kata kunci yang tepat"),
        ("Pencarian informasi", "S-01 B.3", 25, True, "Nomor telepon yang diberikan benar dan lengkap"),
        ("Pencarian informasi", "S-01 B.4", 10, True, "Tidak memberikan nomor yang tidak boleh dipublikasikan (non-pub)"),
        ("Sikap", "S-01 C.1", 10, False, "Intonasi ramah, artikulasi jelas"),
        ("Sikap", "S-01 C.2", 5, False, "Penanganan cepat, tanpa hening berkepanjangan"),
        ("Penutupan", "S-01 D.1", 5, False, "Menawarkan penyambungan atau bantuan lain"),
        ("Penutupan", "S-01 D.2", 5, False, "Salam penutup sesuai standar"),
    ]),
    "147": ("IN.QCC.TELK.S-03", "00", "Standar Penilaian Parameter Pengujian Call 147", [
        ("Pembukaan", "S-03 A.1", 5, False, "Salam pembuka sesuai standar 147 dan menyebutkan nama agent"),
        ("Pembukaan", "S-03 A.2", 10, True, "Verifikasi pemilik layanan (nomor layanan, nama, alamat) sebelum membuka data pelanggan"),
        ("Penanganan", "S-03 B.1", 10, False, "Menggali kebutuhan atau keluhan dengan pertanyaan yang tepat"),
        ("Penanganan", "S-03 B.2", 20, True, "Informasi atau solusi benar dan lengkap sesuai panduan"),
        ("Penanganan", "S-03 B.3", 10, False, "Permintaan atau keluhan dicatat di aplikasi tiket dengan kategori yang benar"),
        ("Penanganan", "S-03 B.4", 5, False, "Menawarkan up selling atau cross selling bila relevan"),
        ("Penanganan", "S-03 B.5", 5, False, "Hold sesuai prosedur: meminta izin dan berterima kasih telah menunggu"),
        ("Sikap", "S-03 C.1", 10, False, "Empati dan intonasi ramah"),
        ("Sikap", "S-03 C.2", 10, False, "Bahasa baku dan jelas, tidak memotong pembicaraan pelanggan"),
        ("Sikap", "S-03 C.3", 5, True, "Tidak bersikap kasar dan tidak memutus pembicaraan secara sepihak"),
        ("Penutupan", "S-03 D.1", 5, False, "Konfirmasi ulang solusi dan menawarkan bantuan lain"),
        ("Penutupan", "S-03 D.2", 5, False, "Salam penutup sesuai standar"),
    ]),
    "SOSMED": ("IN.QCC.TELK.S-11", "00", "Standar Penilaian Parameter Layanan Social Media", [
        ("Respons", "S-11 A.1", 10, False, "Waktu tanggap sesuai target layanan"),
        ("Respons", "S-11 A.2", 5, False, "Sapaan dan penyebutan nama pelanggan atau akun"),
        ("Isi jawaban", "S-11 B.1", 15, True, "Verifikasi data pelanggan lewat pesan pribadi (DM), tidak di kolom publik"),
        ("Isi jawaban", "S-11 B.2", 25, True, "Informasi atau solusi benar dan lengkap"),
        ("Isi jawaban", "S-11 B.3", 10, False, "Tiket dicatat dengan kategori yang benar"),
        ("Bahasa", "S-11 C.1", 15, False, "Bahasa sopan, ejaan baku, tanpa singkatan tidak baku"),
        ("Bahasa", "S-11 C.2", 10, False, "Nada empatik sesuai pedoman gaya bahasa TelkomCare"),
        ("Penutupan", "S-11 D.1", 10, False, "Konfirmasi penyelesaian dan salam penutup"),
    ]),
}
SINCE = date(2026, 1, 5)


def _standard_for(service: Service):
    """The standard of an inbound service: by its code (108, 147) or, for social media, its code or name."""
    code = (service.code or "").upper()
    if code in SCORECARDS:
        return SCORECARDS[code]
    if "108" in code:
        return SCORECARDS["108"]
    if "147" in code:
        return SCORECARDS["147"]
    if "SOS" in code or "SOCIAL" in (service.name or "").upper():
        return SCORECARDS["SOSMED"]
    return None


def seed() -> list[str]:
    """The scorecards of S-01, S-03 and S-11 Rev.00 for the inbound services, when missing."""
    out = []
    have = set(db.session.execute(select(ParameterSet.service_id, ParameterSet.document_code)
                                  .where(ParameterSet.kind == SCORECARD)).all())
    for service in db.session.scalars(select(Service).where(Service.direction == "inbound").order_by(Service.id)):
        standard = _standard_for(service)
        if standard is None:
            continue
        code, rev, title, lines = standard
        if (service.id, code) in have:
            continue
        db.session.add(ParameterSet(service_id=service.id, document_code=code, revision=rev, title=title, effective_from=SINCE,
                                    kind=SCORECARD, parameters=_parameters(lines)))
        out.append(f"scorecard {code} Rev.{rev} for {service.code}")
    db.session.flush()
    return out


def _parameters(lines) -> list[Parameter]:
    return [Parameter(sort_order=i, section=sec, clause=clause, weight=weight, critical=critical, text=text)
            for i, (sec, clause, weight, critical, text) in enumerate(lines)]


# ---------------------------------------------------------------- scorecard versions
def scorecard_for(service_id: int, day: date) -> ParameterSet | None:
    """The scorecard in force for a service on a day: the latest effective version."""
    return db.session.scalar(select(ParameterSet).options(selectinload(ParameterSet.parameters))
                             .where(ParameterSet.service_id == service_id, ParameterSet.kind == SCORECARD,
                                    ParameterSet.effective_from <= day)
                             .order_by(ParameterSet.effective_from.desc(), ParameterSet.id.desc()).limit(1))


def parse_lines(text: str) -> list[tuple[str, str, int, bool, str]]:
    """The scorecard typed one parameter a line: `section | clause | weight | critical (ya/-) | wording`."""
    out = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 5:
            raise ServiceError(_("Line %(n)d: write section | clause | weight | critical (ya or -) | wording.", n=n), "lines")
        section, clause, weight, critical, text_ = parts
        if not weight.isdigit() or not 0 <= int(weight) <= 100:
            raise ServiceError(_("Line %(n)d: the weight is a whole number from 0 to 100.", n=n), "lines")
        if not text_:
            raise ServiceError(_("Line %(n)d: write the parameter's wording.", n=n), "lines")
        out.append((section[:120], clause[:40], int(weight), critical.lower() in ("ya", "y", "yes", "k", "kritis", "*"), text_))
    return out


def register_revision(code: str, revision: str):
    """(document found, the register's revision of that number or None) — the register is the source of the codes."""
    from portal.documents.models import Document, Revision

    row = db.session.execute(select(Document.id, Revision.effective_date, Revision.status)
                             .outerjoin(Revision, (Revision.document_id == Document.id) & (Revision.number == revision))
                             .where(Document.code == code)).first()
    if row is None:
        return False, None
    return True, (row[1], row[2]) if row[2] is not None else None


def add_scorecard(service: Service, document_code: str, revision: str, title: str, effective_from: date | None,
                  lines: list[tuple], actor) -> ParameterSet:
    """A new revision of an inbound standard: a new scorecard version (the old scores keep theirs). When the standard
    is in the documents register, the revision must be there too, and its effective date is the default."""
    code, rev = (document_code or "").strip(), (revision or "").strip()
    if service is None or service.direction != "inbound":
        raise ServiceError(_("Choose an inbound service."), "service")
    if not code or not rev:
        raise ServiceError(_("Enter the document code and its revision."), "document_code")
    registered, found = register_revision(code, rev)
    if registered and found is None:
        raise ServiceError(_("The register has no revision %(rev)s of %(code)s.", rev=rev, code=code), "revision")
    if effective_from is None and found is not None and found[0] is not None:
        effective_from = found[0]
    if effective_from is None:
        raise ServiceError(_("Enter the date the revision takes effect."), "effective_from")
    if not lines:
        raise ServiceError(_("Enter at least one parameter."), "lines")
    if sum(w for _s, _c, w, _k, _t in lines) != 100:
        raise ServiceError(_("The weights add up to %(n)d; they must add up to 100.", n=sum(w for _s, _c, w, _k, _t in lines)),
                           "lines")
    if db.session.scalar(select(ParameterSet.id).where(ParameterSet.service_id == service.id,
                                                       ParameterSet.document_code == code, ParameterSet.revision == rev)):
        raise ServiceError(_("This revision already has its parameters for this service."), "revision")
    row = ParameterSet(service_id=service.id, document_code=code, revision=rev, title=(title or "").strip()[:200],
                       effective_from=effective_from, kind=SCORECARD, parameters=_parameters(lines))
    db.session.add(row)
    db.session.flush()
    audit.record("parameter_set.created", row, new={"service": service.code, "source": row.source, "kind": SCORECARD,
                                                    "effective_from": effective_from, "parameters": len(lines),
                                                    "critical": sum(1 for line in lines if line[3])}, actor=actor)
    return row


# ---------------------------------------------------------------- sampled inbound calls
def enter_inbound(values: dict, actor) -> InboundCall:
    """A sampled inbound call typed in by the QCO (who is then the one to score it)."""
    from portal.tapping import imports
    from portal.tapping.services import to_utc

    lookup = imports.Lookup()
    day = imports._date(values.get("called_on"))
    at = imports._time(values.get("called_time"))
    agent_text = imports._text(values.get("agent"))
    agent = lookup.agents.get(agent_text.lower())
    if agent is None:
        raise ServiceError(_("Agent: no staff with the employee number or user name %(v)s.", v=agent_text or "—"), "agent")
    service = db.session.get(Service, values.get("service_id") or 0)
    if service is None or service.direction != "inbound":
        raise ServiceError(_("Choose an inbound service."), "service")
    recording = imports._text(values.get("recording_id"))
    if not recording:
        raise ServiceError(_("ID Rekaman: enter the recording reference."), "recording_id")
    if db.session.scalar(select(InboundCall.id).where(InboundCall.recording_id == recording)):
        raise ServiceError(_("ID Rekaman %(v)s was already sampled.", v=recording), "recording_id")
    number = re.sub(r"[\s\-.()]", "", imports._text(values.get("customer_number")))
    if number.startswith("+62"):
        number = "0" + number[3:]
    if number and not re.fullmatch(r"\d{6,16}", number):
        raise ServiceError(_("Nomor Pelanggan: %(v)s is not a phone number.", v=values.get("customer_number")), "customer_number")
    row = InboundCall(recording_id=recording[:80], agent_id=agent[0], team_id=lookup.teams.get(agent[0]), site_id=agent[1],
                      service_id=service.id, called_at=to_utc(day, at, lookup.zone), month=day.replace(day=1),
                      topic=imports._text(values.get("topic"))[:160], customer_number=number, qco_id=actor.id,
                      created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit.record("inbound_call.entered", row, new={"recording_id": row.recording_id, "agent": row.agent.employee_number,
                                                   "service": service.code,
                                                   "called": f"{day.isoformat()} {at.strftime('%H.%M')}"}, actor=actor)
    return row


def official_score(call_id: int) -> Score | None:
    return db.session.scalar(select(Score).where(Score.call_id == call_id, Score.calibration_id.is_(None)).limit(1))


def reveal_number(call: InboundCall, actor) -> str:
    if not sees_inbound_number(actor, call):
        raise ServiceError(_("Only the QCO assigned to the call sees the customer number."), "form")
    audit.record("inbound_call.number_viewed", call, new={"recording_id": call.recording_id}, actor=actor)
    return call.customer_number


# ---------------------------------------------------------------- scoring
def compute(pset: ParameterSet, answers: dict[int, tuple[str, str]]) -> tuple[Decimal, bool]:
    """(score out of 100, fatal): the weight met over the weight applicable; 0 and fatal when a critical item is not met."""
    met = applicable = 0
    fatal = False
    for p in pset.parameters:
        answer = answers[p.id][0]
        if answer == NOT_APPLICABLE:
            continue
        applicable += p.weight
        if answer == MET:
            met += p.weight
        elif p.critical:
            fatal = True
    if fatal:
        return Decimal("0.00"), True
    if not applicable:
        return Decimal("100.00"), False
    return (Decimal(met) * 100 / Decimal(applicable)).quantize(TWO, rounding=ROUND_HALF_UP), False


def _checked_answers(pset: ParameterSet, raw: dict) -> dict[int, tuple[str, str]]:
    answers = {}
    for p in pset.parameters:
        answer, comment = raw.get(p.id) or raw.get(str(p.id)) or ("", "")
        answer = (answer or "").strip().upper()
        comment = (comment or "").strip()[:1000]
        if answer not in ANSWERS:
            raise ServiceError(_("Answer every parameter (%(clause)s has no answer).", clause=p.clause or p.text[:40]), f"p{p.id}")
        if p.critical and answer == NOT_APPLICABLE:
            raise ServiceError(_("%(clause)s is a critical item: it always applies.", clause=p.clause), f"p{p.id}")
        if p.critical and answer == NOT_MET and not comment:
            raise ServiceError(_("%(clause)s failed the call: write why in its comment.", clause=p.clause), f"p{p.id}")
        answers[p.id] = (answer, comment)
    if all(a == NOT_APPLICABLE for a, _c in answers.values()):
        raise ServiceError(_("At least one parameter applies to the call."), "form")
    return answers


def _new_score(call: InboundCall, pset: ParameterSet, data: dict, actor, calibration: Calibration | None) -> Score:
    if pset is None:
        raise ServiceError(_("No scorecard is in force for this service on the day of the call."), "form")
    if data.get("parameter_set_id") and int(data["parameter_set_id"]) != pset.id:
        raise ServiceError(_("The scorecard changed meanwhile: score the call again on the version shown."), "form")
    answers = _checked_answers(pset, data.get("answers") or {})
    total, fatal = compute(pset, answers)
    row = Score(call_id=call.id, parameter_set_id=pset.id, calibration_id=calibration.id if calibration else None,
                scorer_id=actor.id, scorer_name=actor.full_name, total=total, fatal=fatal, scored_at=utcnow(),
                answers_json=json.dumps({str(k): list(v) for k, v in answers.items()}, ensure_ascii=False),
                comment=(data.get("comment") or "").strip()[:4000])
    db.session.add(row)
    db.session.flush()
    return row


def score_call(call: InboundCall, data: dict, actor) -> Score:
    """The official score of a sampled call (once): answers per parameter with their comments and an overall
    comment. A failed critical item proposes a coaching finding for the agent (when the coaching module is on)."""
    from portal.tapping.services import local_day

    if not can_score(actor, call, official_score(call.id) is not None):
        raise ServiceError(_("This call is not waiting for your score."), "form")
    pset = scorecard_for(call.service_id, local_day(call.called_at))
    row = _new_score(call, pset, data, actor, None)
    audit.record("inbound_call.scored", call, new={"score": row.total, "fatal": row.fatal, "source": pset.source},
                 reason=row.comment, actor=actor)
    if row.fatal:
        _propose_finding(call, row, pset, actor)
    return row


def _propose_finding(call: InboundCall, score: Score, pset: ParameterSet, actor) -> None:
    from portal.core.modules import is_enabled
    from portal.tapping.services import local_day

    if not current_app or not is_enabled("coaching"):
        return
    from portal.coaching import services as coaching

    failed = [p for p in pset.parameters if p.critical and score.answers.get(p.id, ("",))[0] == NOT_MET]
    link = url_for("tapping.inbound_call", inbound_id=call.id) if has_request_context() else f"tapping:{call.recording_id}"
    coaching.raise_finding(call.agent, {
        "kind": "quality", "found_on": local_day(score.scored_at),
        "rule": f"{pset.source} · {', '.join(p.clause for p in failed)}"[:200],
        "description": _("Call %(id)s failed a critical item: %(text)s", id=call.recording_id,
                         text="; ".join(f"{p.text} — {score.answers[p.id][1]}" for p in failed)),
        "evidence_link": link}, actor)


# ---------------------------------------------------------------- calibration
def open_calibration(call: InboundCall, note: str, actor) -> Calibration:
    """QA opens a calibration round on a sampled call; their own score will be the reference."""
    if not can_open_calibration(actor, call):
        raise ServiceError(_("You cannot open a calibration round on this call."), "form")
    if db.session.scalar(select(Calibration.id).where(Calibration.call_id == call.id, Calibration.status == OPEN)):
        raise ServiceError(_("A calibration round on this call is still open."), "form")
    row = Calibration(call_id=call.id, reference_id=actor.id, reference_name=actor.full_name, note=(note or "").strip()[:2000])
    db.session.add(row)
    db.session.flush()
    audit.record("calibration.opened", row, new={"call": call.recording_id}, reason=row.note, actor=actor)
    return row


def calibration_scores(calibration: Calibration) -> list[Score]:
    return list(db.session.scalars(select(Score).where(Score.calibration_id == calibration.id).order_by(Score.scored_at, Score.id)))


def score_calibration(calibration: Calibration, data: dict, actor) -> Score:
    """One scorer's independent score in a round (once each), on the scorecard of the call's day."""
    from portal.tapping.services import local_day

    scored = db.session.scalar(select(Score.id).where(Score.calibration_id == calibration.id, Score.scorer_id == actor.id))
    if not can_calibrate(actor, calibration, scored is not None):
        raise ServiceError(_("This calibration round is not waiting for your score."), "form")
    call = calibration.call
    pset = scorecard_for(call.service_id, local_day(call.called_at))
    row = _new_score(call, pset, data, actor, calibration)
    audit.record("calibration.scored", calibration, new={"call": call.recording_id, "score": row.total, "fatal": row.fatal},
                 actor=actor)
    return row


def close_calibration(calibration: Calibration, actor) -> None:
    """QA closes a round with at least two scores; everyone who sees calibrations then sees every score."""
    if not actor.can("tapping.calibrate") or calibration.status != OPEN:
        raise ServiceError(_("This calibration round is not open."), "form")
    scores = calibration_scores(calibration)
    if len(scores) < 2:
        raise ServiceError(_("A round needs at least two scores before it is closed."), "form")
    calibration.status, calibration.closed_at = CLOSED, utcnow()
    db.session.flush()
    result = compare(calibration, scores)
    audit.record("calibration.closed", calibration, new={"call": calibration.call.recording_id, "scores": len(scores),
                                                         "spread": result.spread}, actor=actor)


@dataclass
class Row:
    """One parameter of a round: each scorer's answer, the reference's, how many differ and the points at stake."""
    parameter: Parameter
    answers: list[tuple[str, str]]  # per scorer (in the order of `Comparison.scores`): (answer, comment)
    reference: str | None
    differing: int = 0  # scorers whose answer is not the reference's (or, without a reference, not the most common)
    points: int = 0  # the weight at stake: the parameter's weight when some scorers count it and others do not

    @property
    def agreed(self) -> bool:
        return len({a for a, _c in self.answers}) <= 1


@dataclass
class Comparison:
    scores: list[Score]
    reference: Score | None
    rows: list[Row] = field(default_factory=list)
    spread: Decimal | None = None  # highest total - lowest total
    agreement: Decimal | None = None  # share of the answers equal to the reference's (or the most common), in %

    def gap(self, score: Score) -> Decimal | None:
        """A scorer's total minus the reference's."""
        if self.reference is None or score is self.reference:
            return None
        return score.total - self.reference.total


def compare(calibration: Calibration, scores: list[Score]) -> Comparison:
    """Where the scorers disagree and by how much, per parameter (pure arithmetic on the scores read)."""
    reference = next((s for s in scores if s.scorer_id == calibration.reference_id), None)
    result = Comparison(scores=scores, reference=reference)
    if not scores:
        return result
    pset = scores[0].parameter_set
    same = total = 0
    maps = [s.answers for s in scores]
    for p in pset.parameters:
        answers = [m.get(p.id, ("", "")) for m in maps]
        values = [a for a, _c in answers]
        base = reference.answers.get(p.id, ("", ""))[0] if reference else max(set(values), key=values.count)
        row = Row(parameter=p, answers=answers, reference=base if reference else None)
        row.differing = sum(1 for v in values if v != base)
        counted = {v == MET for v in values if v != NOT_APPLICABLE}
        row.points = p.weight if (len(counted) > 1 or (NOT_APPLICABLE in values and len(set(values)) > 1)) else 0
        same += len(values) - row.differing
        total += len(values)
        result.rows.append(row)
    totals = [s.total for s in scores]
    result.spread = (max(totals) - min(totals)).quantize(TWO)
    result.agreement = (Decimal(same) * 100 / Decimal(total)).quantize(TWO, rounding=ROUND_HALF_UP) if total else None
    return result
