"""Synthetic one-stop exports: a province's communes and agencies, seasonal volumes, ~97% on time."""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import random
from collections.abc import Iterator

from cchc_portal.lib.workdays import add_working_days, is_working_day
from provinces.models import AdministrativeUnit, Agency, AgencyKind, UnitLevel

from .importing.summaries import office_windows
from .models import Holiday, Procedure, ProcedureLevel, TimeUnit

HEADERS = [
    "STT",
    "Mã hồ sơ",
    "Mã thủ tục",
    "Tên thủ tục",
    "Cấp thực hiện",
    "Mã đơn vị",
    "Cơ quan tiếp nhận",
    "Hình thức nộp",
    "Ngày tiếp nhận",
    "Ngày hẹn trả",
    "Số ngày tạm dừng",
    "Ngày có kết quả",
    "Ngày trả kết quả",
    "Trạng thái",
]
# The optional Decision 766 columns (dossiers.importing.SERVICE_HEADER_ALIASES).
SERVICE_HEADERS = [
    "Số lần yêu cầu bổ sung",
    "Ngày yêu cầu bổ sung",
    "Ngày hoàn thành bổ sung",
    "Kết quả điện tử",
    "Phí, lệ phí",
    "Thanh toán trực tuyến",
    "Số hóa thành phần hồ sơ",
    "Tái sử dụng dữ liệu số hóa",
    "Định danh VNeID",
    "Phản ánh, kiến nghị",
]
# Procedures that charge a fee (in đồng) and those whose result is a paper document.
FEES = {"2.000488": 200_000, "2.001035": 50_000, "1.005384": 150_000, "1.002809": 135_000, "1.004227": 100_000,
        "1.001611": 360_000, "1.000894": 0, "1.010738": 75_000, "2.001823": 100_000, "2.000815": 2_000}  # fmt: skip
PAPER_RESULTS = {"1.004227", "1.003596", "1.010738", "1.005384"}

# (code, name, level, working days)
CATALOGUE = [
    ("1.001193", "Đăng ký khai sinh", ProcedureLevel.COMMUNE, 1),
    ("1.000894", "Đăng ký kết hôn", ProcedureLevel.COMMUNE, 1),
    ("1.001022", "Đăng ký khai tử", ProcedureLevel.COMMUNE, 1),
    ("1.004873", "Cấp giấy xác nhận tình trạng hôn nhân", ProcedureLevel.COMMUNE, 3),
    ("2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", ProcedureLevel.COMMUNE, 1),
    ("2.000884", "Chứng thực chữ ký trong các giấy tờ, văn bản", ProcedureLevel.COMMUNE, 1),
    ("1.003596", "Đăng ký biến động quyền sử dụng đất", ProcedureLevel.COMMUNE, 10),
    ("1.010738", "Cấp giấy phép xây dựng nhà ở riêng lẻ", ProcedureLevel.COMMUNE, 15),
    ("2.001823", "Đăng ký thành lập hộ kinh doanh", ProcedureLevel.COMMUNE, 3),
    ("1.001756", "Giải quyết trợ cấp xã hội hằng tháng", ProcedureLevel.COMMUNE, 12),
    ("2.000488", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam", ProcedureLevel.PROVINCE, 10),
    ("2.001035", "Đăng ký thành lập doanh nghiệp tư nhân", ProcedureLevel.PROVINCE, 3),
    ("1.005384", "Cấp giấy phép xây dựng công trình", ProcedureLevel.PROVINCE, 20),
    ("1.002809", "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp", ProcedureLevel.PROVINCE, 5),
    ("1.004227", "Cấp giấy chứng nhận quyền sử dụng đất lần đầu", ProcedureLevel.PROVINCE, 20),
    ("1.001611", "Cấp giấy phép hoạt động khám bệnh, chữa bệnh", ProcedureLevel.PROVINCE, 30),
    ("2.001161", "Cấp chứng chỉ hành nghề dược", ProcedureLevel.PROVINCE, 20),
    ("1.000775", "Cấp giấy phép lao động cho người nước ngoài", ProcedureLevel.PROVINCE, 5),
]
# Procedures whose legal time limit is not stated in working days (the others: CATALOGUE's working days),
# so the 766 page's handling-time table shows all three units. Certifications are done within the day
# (Decree 23/2015/ND-CP art. 7: "trong ngày", here 8 hours); the judicial record and building permits
# count calendar days (Law on Judicial Records 2009 art. 48: 10 days; Construction Law 2014 art. 102:
# 20 days, 15 for a house).
TIME_LIMITS = {
    "2.000815": (8, TimeUnit.HOURS),
    "2.000884": (8, TimeUnit.HOURS),
    "2.000488": (10, TimeUnit.DAYS),
    "1.005384": (20, TimeUnit.DAYS),
    "1.010738": (15, TimeUnit.DAYS),
}
# Agencies that handle the province-level procedures (by short name in the demo province).
PROCEDURE_AGENCY = {
    "2.000488": "STP",
    "2.001035": "STC",
    "1.005384": "SXD",
    "1.002809": "SXD",
    "1.004227": "SNNMT",
    "1.001611": "SYT",
    "2.001161": "SYT",
    "1.000775": "SNV",
}
# Fewer dossiers around Tết (Jan/Feb), more before the year's end.
MONTH_WEIGHT = {1: 0.9, 2: 0.6, 3: 1.0, 4: 1.0, 5: 1.0, 6: 1.05, 7: 1.0, 8: 1.0, 9: 1.05, 10: 1.1, 11: 1.15, 12: 1.25}
CHANNELS = [
    ("Trực tiếp", 45),
    ("Qua bưu chính công ích", 5),
    ("Trực tuyến toàn trình", 25),
    ("Trực tuyến một phần", 25),
]


def ensure_procedures() -> dict[str, Procedure]:
    existing = {p.code: p for p in Procedure.objects.filter(code__in=[c[0] for c in CATALOGUE])}
    missing = [
        Procedure(
            code=code,
            name=name,
            level=level,
            allowance_days=days,
            time_limit=TIME_LIMITS[code][0] if code in TIME_LIMITS else None,
            time_limit_unit=TIME_LIMITS[code][1] if code in TIME_LIMITS else TimeUnit.WORKING_DAYS,
        )
        for code, name, level, days in CATALOGUE
        if code not in existing
    ]
    Procedure.objects.bulk_create(missing, ignore_conflicts=True)
    Procedure.objects.filter(code__in=PAPER_RESULTS, paper_result=False).update(paper_result=True)
    return {p.code: p for p in Procedure.objects.filter(code__in=[c[0] for c in CATALOGUE])}


def _fmt_day(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def generate_rows(
    *,
    province: AdministrativeUnit,
    rows: int,
    end: dt.date,
    months: int = 12,
    bad_rows: int = 0,
    seed: int = 1,
    holidays: frozenset[dt.date] | None = None,
    first_day: dt.date | None = None,
    first_number: int = 0,
    service: bool = True,
) -> Iterator[list[str]]:
    rng = random.Random(seed)
    holidays = Holiday.dates() if holidays is None else holidays
    windows = office_windows()
    ensure_procedures()
    communes = list(
        AdministrativeUnit.objects.current()
        .filter(province=province, level=UnitLevel.COMMUNE)
        .values_list("pk", "code")
        .order_by("code")
    )
    commune_agency = dict(
        Agency.objects.current().filter(province=province, commune__isnull=False).values_list("commune_id", "name")
    )
    departments = {
        short: name
        for short, name in Agency.objects.current()
        .filter(province=province, commune__isnull=True)
        .exclude(kind=AgencyKind.COMMUNE_COMMITTEE)
        .values_list("short_name", "name")
    }
    fallback_department = next(iter(departments.values()), "")
    commune_units = [(code, commune_agency.get(pk, "")) for pk, code in communes]
    commune_procs = [c for c in CATALOGUE if c[2] == ProcedureLevel.COMMUNE]
    province_procs = [c for c in CATALOGUE if c[2] == ProcedureLevel.PROVINCE]

    start = (end.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for _ in range(months - 2):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    if first_day is not None:
        start = first_day
    days, weights = [], []
    day = start
    while day <= end:
        if is_working_day(day, holidays):
            days.append(day)
            weights.append(MONTH_WEIGHT[day.month])
        day += dt.timedelta(days=1)
    day_text = {d: _fmt_day(d) for d in days}
    minutes = [f"{h:02d}:{m:02d}" for h in (7, 8, 9, 10, 13, 14, 15, 16) for m in range(0, 60, 5)]
    channel_names = [c[0] for c in CHANNELS]
    channel_weights = [c[1] for c in CHANNELS]
    due_cache: dict[tuple[dt.date, int], dt.date] = {}

    def working(day: dt.date, n: int) -> dt.date:
        key = (day, n)
        if key not in due_cache:
            due_cache[key] = add_working_days(day, n, holidays)
        return due_cache[key]

    def text(day: dt.date) -> str:
        return day_text.get(day) or _fmt_day(day)

    def due_day(received: dt.date, at: str, proc: tuple) -> dt.date:
        """The due day by the procedure's time limit: working days, calendar days or hours."""
        limit, unit = TIME_LIMITS.get(proc[0], (proc[3], TimeUnit.WORKING_DAYS))
        if unit == TimeUnit.DAYS:
            # Calendar days; a limit that ends on a day off moves to the next working day.
            return working(received + dt.timedelta(days=limit), 0)
        if unit == TimeUnit.HOURS:
            # Working hours: due the day the limit's office minutes run out.
            return working_hours_end(received, at, limit * 60)[0]
        return working(received, limit)

    def working_hours_end(received: dt.date, at: str, minutes_in: float) -> tuple[dt.date, int]:
        """The day and minute of the day `minutes_in` working minutes after `at` on `received`.

        Counted in the office windows (settings.CCHC_OFFICE_HOURS) of working days: a time outside
        them starts at the next window; a limit that ends at a window's close ends there.
        """
        hour, minute = map(int, at.split(":"))
        clock, day, left = hour * 60 + minute, received, minutes_in
        while True:
            for opens, closes in windows:
                if clock >= closes:
                    continue
                clock = max(clock, opens)
                if clock + left <= closes:
                    return day, clock + int(left)
                left -= closes - clock
                clock = closes
            day, clock = working(day, 1), 0

    def within_working_hours(received: dt.date, at: str, minutes_in: float) -> tuple[dt.date, str]:
        """The day and time `minutes_in` (at least 15) working minutes after `at` on `received`."""
        day, clock = working_hours_end(received, at, max(15.0, minutes_in))
        return day, f"{clock // 60:02d}:{clock % 60:02d}"

    bad_positions = set(rng.sample(range(rows), min(bad_rows, rows))) if bad_rows else set()
    batch = 10_000
    number = first_number
    rows += first_number
    while number < rows:
        size = min(batch, rows - number)
        received_days = rng.choices(days, cum_weights=None, weights=weights, k=size)
        for received in received_days:
            r = rng.random()
            if r < 0.7 and commune_units:
                code, agency = commune_units[int(rng.random() * len(commune_units))]
                proc = commune_procs[int(rng.random() * len(commune_procs))]
            else:
                proc = province_procs[int(rng.random() * len(province_procs))]
                code = province.code
                agency = departments.get(PROCEDURE_AGENCY.get(proc[0], ""), fallback_department)
            received_at = minutes[int(rng.random() * len(minutes))]
            due = due_day(received, received_at, proc)
            hours = TIME_LIMITS[proc[0]][0] if TIME_LIMITS.get(proc[0], (0, ""))[1] == TimeUnit.HOURS else 0
            finished_at = None
            paused = 0
            if rng.random() < 0.05 and not hours:  # a same-day certification is not sent back for more papers
                paused = 1 + int(rng.random() * 10)
            effective_due = working(due, paused) if paused else due
            finished = returned = None
            r = rng.random()
            if r < 0.01:
                status = "Trả lại hồ sơ"
                returned = min(end, received + dt.timedelta(days=int(rng.random() * 5)))
            elif r < 0.015:
                status = "Công dân rút hồ sơ"
                returned = min(end, received + dt.timedelta(days=int(rng.random() * 5)))
            else:
                r = rng.random()
                if hours and r < 0.97:
                    # Within the limit's working hours (70% in its first 40%, the rest up to its end),
                    # carried over to the next working day at closing time.
                    share = 0.05 + 0.35 * rng.random() if r < 0.7 else 0.4 + 0.6 * rng.random()
                    finished, finished_at = within_working_hours(received, received_at, share * hours * 60)
                elif hours and 0.97 <= r < 0.99:
                    finished = effective_due + dt.timedelta(days=1 + int(rng.random() * 3))
                elif r < 0.7:
                    span = (effective_due - received).days
                    finished = received + dt.timedelta(days=int(rng.random() * span)) if span > 0 else received
                elif r < 0.97:
                    finished = effective_due
                elif r < 0.99:
                    finished = effective_due + dt.timedelta(days=1 + int(rng.random() * 10))
                else:
                    finished = None  # stays open: overdue once its due day passes
                if finished is not None and finished > end:
                    finished = None
                if finished == received and finished_at is None:
                    # A result on the day of receipt comes after it (to the minute: handling times are counted from it).
                    later = bisect.bisect_right(minutes, received_at)
                    finished_at = (
                        minutes[later + int(rng.random() * (len(minutes) - later))] if later < len(minutes) else "17:00"
                    )
                if finished is None:
                    status = "Tạm dừng" if paused and rng.random() < 0.5 else "Đang giải quyết"
                else:
                    status = "Đã giải quyết"
                    returned = finished + dt.timedelta(days=int(rng.random() * 3))
                    if returned > end:
                        returned = None
            number += 1
            row = [
                str(number),
                f"H{province.code}.{code}-{received:%y%m%d}-{number:07d}",
                proc[0],
                proc[1],
                "Cấp xã" if proc[2] == ProcedureLevel.COMMUNE else "Cấp tỉnh",
                code,
                agency,
                rng.choices(channel_names, weights=channel_weights)[0],
                f"{text(received)} {received_at}",
                f"{text(due)} 17:00",
                str(paused) if paused else "",
                f"{text(finished)} {finished_at or minutes[int(rng.random() * len(minutes))]}" if finished else "",
                f"{text(returned)} 16:00" if returned else "",
                status,
            ]
            if service:
                row += _service_cells(rng, proc[0], row[7], paused, received, finished, text, end)
            if number - 1 - first_number in bad_positions:
                _spoil(row, rng)
            yield row


def _service_cells(
    rng: random.Random, code: str, channel: str, paused: int, received, finished, text, end
) -> list[str]:
    """Realistic shares: ~5% supplementation (1 in 10 of them twice), 75% electronic results,
    payment online for ~45% of online fee-bearing dossiers, 80% digitised, 35% reuse."""
    online = channel.startswith("Trực tuyến")
    count = requested = completed = ""
    if paused:
        count = "2" if rng.random() < 0.1 else "1"
        asked = min(end, received + dt.timedelta(days=1))
        # Calendar days covering the paused working days (weekends included).
        done = asked + dt.timedelta(days=paused + 2 * (paused // 5) + 2)
        requested = text(asked)
        completed = text(done) if done <= end else ""
    fee = FEES.get(code, 0)
    paid = (
        ("Cổng DVC quốc gia" if rng.random() < 0.7 else "Cổng DVC tỉnh")
        if fee and online and rng.random() < 0.45
        else ""
    )
    if fee and not paid:
        paid = "Tiền mặt"
    return [
        count,
        requested,
        completed,
        "Có" if finished is not None and rng.random() < 0.75 else "",
        f"{fee:,}".replace(",", ".") if fee else "0",
        paid,
        "Có" if rng.random() < 0.8 else "",
        "Có" if rng.random() < 0.35 else "",
        "Có" if online and rng.random() < 0.6 else "",
        "Có" if rng.random() < 0.01 else "",
    ]


def _spoil(row: list[str], rng: random.Random) -> None:
    kind = rng.randrange(5)
    if kind == 0:
        row[8] = "31/02/2025 08:00"  # no such date
    elif kind == 1:
        row[1] = ""  # receipt number missing
    elif kind == 2:
        row[5] = "99999"  # unknown unit
    elif kind == 3:
        row[7] = "Fax"  # unknown channel
    else:
        row[11] = "01/01/2000 08:00"  # result before receipt
        row[13] = "Đã giải quyết"


def write_export(path: str, **kwargs) -> int:
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS + SERVICE_HEADERS if kwargs.get("service", True) else HEADERS)
        buffer = []
        for row in generate_rows(**kwargs):
            buffer.append(row)
            if len(buffer) >= 10_000:
                writer.writerows(buffer)
                count += len(buffer)
                buffer = []
        writer.writerows(buffer)
        count += len(buffer)
    return count
