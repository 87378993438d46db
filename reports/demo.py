"""Demo content: a reporting round for the current period in the demo province, with a mix of states.

Idempotent: the round is opened once; states are written only while every
report of it is still "not started". Values are the units' automatic figures plus plausible
typed ones, so the province's annex has something to add up.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cchc_portal.lib.numbers import percent
from cchc_portal.lib.periods import period_for

from .models import ReportStatus, UnitReport, round_open, today

TEXTS = {
    "I": "Ban hành Kế hoạch CCHC năm và các văn bản chỉ đạo, đôn đốc; tổ chức kiểm tra CCHC theo kế hoạch.",
    "II": "Triển khai đầy đủ 6 nội dung CCHC; rà soát, đơn giản hóa TTHC; đẩy mạnh dịch vụ công trực tuyến.",
    "III": "Một số nhiệm vụ còn chậm tiến độ; tỷ lệ hồ sơ trực tuyến toàn trình chưa cao.",
    "IV": "Tiếp tục thực hiện các nhiệm vụ còn lại của Kế hoạch CCHC năm.",
    "V": "Đề nghị UBND tỉnh bố trí kinh phí cho chuyển đổi số.",
}
# The demo officer's unit stays a draft so the officer can finish and submit it.
OFFICER_UNIT = "Sở Tư pháp"


def _values(report: UnitReport, rng: random.Random) -> dict[str, str]:
    report.refresh_auto_values()
    values = dict(report.auto_values)
    typed = {"TC1": rng.randint(0, 6), "TT1": rng.randint(0, 30), "TT2": rng.randint(0, 8), "TT3": rng.randint(0, 3),
             "KT1": rng.randint(0, 4), "KT2": rng.randint(0, 10), "VB1": rng.randint(200, 3000),
             "VB2": rng.randint(300, 4000), "MT1": rng.randint(85, 100)}  # fmt: skip
    for figure in report.figures():
        if figure.is_derived or figure.code in values:
            continue
        values[figure.code] = str(typed.get(figure.code, 0))
    for figure in report.figures():
        if figure.is_derived:
            num, den = values.get(figure.rate_numerator), values.get(figure.rate_denominator)
            if num is not None and den and Decimal(den):
                values[figure.code] = str(percent(Decimal(num), Decimal(den)))
    return values


@transaction.atomic
def load_demo(*, province) -> dict:
    period = period_for(today())
    rnd = round_open(
        province=province, period=period, internal_deadline=period.due_date - dt.timedelta(days=10), source="command"
    )
    if rnd.reports.exclude(status=ReportStatus.NOT_STARTED).exists():
        return {"round": str(rnd), "reports": rnd.reports.count(), "states_written": 0}
    rng = random.Random(2026)
    reports = list(UnitReport.objects.filter(round=rnd, status=ReportStatus.NOT_STARTED).select_related("agency"))
    departments = [r for r in reports if r.agency.kind == "department" and r.agency.name != OFFICER_UNIT]
    communes = [r for r in reports if r.agency.kind == "commune_committee"]
    plan = (
        [(r, ReportStatus.ACCEPTED) for r in departments[:8]]
        + [(r, ReportStatus.SUBMITTED) for r in departments[8:11]]
        + [(r, ReportStatus.RETURNED) for r in departments[11:12]]
        + [(r, ReportStatus.RESUBMITTED) for r in departments[12:13]]
        + [(r, ReportStatus.DRAFT) for r in departments[13:15]]
        + [(r, ReportStatus.ACCEPTED) for r in communes[:10]]
        + [(r, ReportStatus.SUBMITTED) for r in communes[10:16]]
        + [(r, ReportStatus.DRAFT) for r in communes[16:20]]
        + [(r, ReportStatus.DRAFT) for r in reports if r.agency.name == OFFICER_UNIT]
    )
    opened = timezone.now() - dt.timedelta(days=5)
    for index, (report, status) in enumerate(plan):
        report.values = _values(report, rng)
        report.texts = TEXTS
        report.status = status
        if status not in (ReportStatus.DRAFT,):
            # A few submitted after the deadline, for the board's "late" count.
            late = index % 7 == 3 and rnd.is_past_deadline()
            report.first_submitted_at = opened + dt.timedelta(hours=index * 3) if not late else timezone.now()
            report.submitted_at = report.first_submitted_at
        if status == ReportStatus.RETURNED:
            report.return_reason = "Đề nghị bổ sung số liệu kiểm tra CCHC (KT1, KT2) và văn bản điện tử."
        if status == ReportStatus.ACCEPTED:
            report.accepted_snapshot = {"values": report.values, "texts": report.texts}
        report.updated_at = timezone.now()
        report.save()
    return {"round": str(rnd), "reports": rnd.reports.count(), "states_written": len(plan)}
