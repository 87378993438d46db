import datetime as dt
import io

import pytest

from tasks.models import Plan, Task, TaskStatus


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Evidence and uploaded annexes go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The role fixtures hash a password per user; the production hasher costs ~0.5 s each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def plan(province):
    plan = Plan.objects.create(unit=province, year=2026, title="Kế hoạch CCHC năm 2026 tỉnh Gia Lai")
    plan.ensure_default_areas()
    return plan


@pytest.fixture
def make_task(plan):
    counter = {"n": 0}

    def make(lead_agency, *, area_code="I", status=TaskStatus.NOT_STARTED, deadline=dt.date(2026, 12, 31), **extra):
        counter["n"] += 1
        target = extra.pop("plan", plan)
        if status == TaskStatus.COMPLETED:
            extra.setdefault("completion_date", deadline or dt.date(2026, 6, 1))
        return Task.objects.create(
            plan=target,
            area=target.areas.get(code=area_code),
            number=str(counter["n"]),
            order=counter["n"],
            title=extra.pop("title", f"Nhiệm vụ số {counter['n']}"),
            lead_agency=lead_agency,
            status=status,
            deadline=deadline,
            recurring=deadline is None,
            **extra,
        )

    return make


@pytest.fixture
def task(make_task, agency):
    return make_task(agency, title="Rà soát văn bản quy phạm pháp luật")


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
