"""The KPIs the portal seeds per service (`flask monitoring seed-kpis`, and `flask demo load`): P-10 7.1 names the
inbound figures (SL and SCR for 147 and 108; response time and response rate for social media / TelkomCare),
MNOP-01 Bab III the outbound ones (Quality Validation Score 95 %, "Pemenuhan Jumlah SDM" 95 %).

Targets: QVS and staffing 95 % are stated in MNOP-01; the inbound targets (SL 80 % of calls answered within 20
seconds, short calls at most 3 %, response time at most 15 minutes, response rate at least 95 %) and roster
compliance 95 % are not stated in the seed documents: they are realistic values the owner edits as data."""
from __future__ import annotations

from decimal import Decimal

from portal.monitoring.models import (
    DAY,
    IMPORTED,
    INTERVAL,
    MONTH,
    PEOPLE_STAFFING,
    ROSTER_COMPLIANCE,
    TAPPING_QVS,
)

# code, name, formula, source, unit, target, higher is better, period, owner role
SL = ("SL", "Service Level", "Panggilan terjawab ≤ 20 detik / panggilan masuk × 100", IMPORTED, "%", Decimal(80), True, INTERVAL, "spv")
SCR = ("SCR", "Short Call Rate", "Panggilan < 10 detik / panggilan terjawab × 100", IMPORTED, "%", Decimal(3), False, INTERVAL, "spv")
RT = ("RT", "Response Time", "Rata-rata waktu hingga respons pertama (menit)", IMPORTED, "menit", Decimal(15), False, INTERVAL, "spv")
RR = ("RR", "Response Rate", "Interaksi yang direspons / interaksi masuk × 100", IMPORTED, "%", Decimal(95), True, INTERVAL, "spv")
RC = ("RC", "Kesesuaian Roster", "Hadir tepat waktu / terjadwal × 100 (modul roster, F-02)", ROSTER_COMPLIANCE, "%", Decimal(95), True, DAY, "tl")
QVS = ("QVS", "Quality Validation Score", "Call AGREE VALID / call AGREE × 100 (modul tapping, MNOP-01 Bab III)", TAPPING_QVS, "%", Decimal(95), True, MONTH, "spv")
SDM = ("SDM", "Pemenuhan Jumlah SDM", "Jumlah SDM tersedia / target SDM (caplan) × 100 (modul SDM, MNOP-01 Bab III)", PEOPLE_STAFFING, "%", Decimal(95), True, MONTH, "manager")

SEEDS: dict[str, list[tuple]] = {
    "147": [SL, SCR, RC],
    "108": [SL, SCR, RC],
    "SOSMED": [RT, RR],
    "TAM-ADDON": [QVS, SDM],
    "TAM-WIFI": [QVS, SDM],
    "TAM-CT0": [QVS, SDM],
}

# The default steps a missed KPI proposes (P-10 steps 10, 14 and 19: desk control, attendance and cluster functions).
DEFAULT_STEPS = [
    ("Fungsi Absen: tarik agent dari aktivitas non-produktif (aux, briefing) dan tambahkan agent siaga ke antrian", 1),
    ("Fungsi Cluster: monitoring login/posduk agent dan side by side pada agent dengan AHT tinggi", 2),
    ("Desk Control: pantau pencapaian per interval dan laporkan hasil recovery di akhir shift", 4),
]
