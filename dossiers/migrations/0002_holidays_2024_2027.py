"""Vietnamese public holidays 2024–2027 (Labour Code 2019 art. 112), as editable data.

Working days off only (Saturdays and Sundays are never working days anyway),
including the compensatory days announced by the government each year. 2026 and
2027 follow the usual pattern (Tết 5 working days, National Day two days) and
must be checked against the Prime Minister's annual notice: edit them in the
admin (Dossiers → Public holidays).
"""

import datetime as dt

from django.db import migrations

HOLIDAYS = [
    # 2024
    ("2024-01-01", "Tết Dương lịch"),
    *[(f"2024-02-{d:02d}", "Tết Nguyên đán") for d in (8, 9, 12, 13, 14)],
    ("2024-04-18", "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
    ("2024-04-29", "Nghỉ bù (hoán đổi ngày làm việc)"),
    ("2024-04-30", "Ngày Chiến thắng"),
    ("2024-05-01", "Ngày Quốc tế Lao động"),
    ("2024-09-02", "Quốc khánh"),
    ("2024-09-03", "Quốc khánh (ngày liền kề)"),
    # 2025
    ("2025-01-01", "Tết Dương lịch"),
    *[(f"2025-01-{d:02d}", "Tết Nguyên đán") for d in (27, 28, 29, 30, 31)],
    ("2025-04-07", "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
    ("2025-04-30", "Ngày Chiến thắng"),
    ("2025-05-01", "Ngày Quốc tế Lao động"),
    ("2025-05-02", "Nghỉ bù (hoán đổi ngày làm việc)"),
    ("2025-09-01", "Quốc khánh (ngày liền kề)"),
    ("2025-09-02", "Quốc khánh"),
    # 2026 (to be checked against the annual notice)
    ("2026-01-01", "Tết Dương lịch"),
    *[(f"2026-02-{d:02d}", "Tết Nguyên đán") for d in (16, 17, 18, 19, 20)],
    ("2026-04-27", "Giỗ Tổ Hùng Vương (nghỉ bù, 10/3 âm lịch là Chủ nhật 26/4)"),
    ("2026-04-30", "Ngày Chiến thắng"),
    ("2026-05-01", "Ngày Quốc tế Lao động"),
    ("2026-09-01", "Quốc khánh (ngày liền kề)"),
    ("2026-09-02", "Quốc khánh"),
    # 2027 (to be checked against the annual notice)
    ("2027-01-01", "Tết Dương lịch"),
    *[(f"2027-02-{d:02d}", "Tết Nguyên đán") for d in (4, 5, 8, 9, 10)],
    ("2027-04-16", "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
    ("2027-04-30", "Ngày Chiến thắng"),
    ("2027-05-03", "Ngày Quốc tế Lao động (nghỉ bù, 1/5 là thứ Bảy)"),
    ("2027-09-02", "Quốc khánh"),
    ("2027-09-03", "Quốc khánh (ngày liền kề)"),
]


def load(apps, schema_editor):
    Holiday = apps.get_model("dossiers", "Holiday")
    for day, name in HOLIDAYS:
        Holiday.objects.get_or_create(date=dt.date.fromisoformat(day), defaults={"name": name})


def unload(apps, schema_editor):
    Holiday = apps.get_model("dossiers", "Holiday")
    Holiday.objects.filter(date__in=[dt.date.fromisoformat(day) for day, _ in HOLIDAYS]).delete()


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
