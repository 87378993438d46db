"""A small round: a province with three departments, a justice department appraising area 1,
and a tree of two areas (1: 6 points in 1.1 = 4 + 1.2 = 2; 2: 4 points), a survey area 3 (2),
a bonus item T1 (3, capped at 1) and a penalty item TR1 (2, capped at 1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from assessments.models import Methodology, NodeKind, TargetGroup
from assessments.scoring import round_open
from assessments.trees import Node, TreePreview, tree_import_commit

TREE = [
    ("1", "Chỉ đạo, điều hành", "6", None, False),
    ("1.1", "Kế hoạch CCHC", "4", "1", False),
    ("1.2", "Báo cáo định kỳ", "2", "1", False),
    ("2", "Thủ tục hành chính", "4", None, False),
    ("3", "Khảo sát hài lòng", "2", None, True),
    ("T1", "Sáng kiến", "3", None, False),
    ("TR1", "Bị phê bình", "2", None, False),
]
KINDS = {1: NodeKind.AREA, 2: NodeKind.CRITERION}


def make_tree(methodology, tree=TREE):
    nodes = []
    for row, (code, name, maximum, parent, survey) in enumerate(tree, start=2):
        if code.startswith("TR"):
            kind = NodeKind.PENALTY
        elif code.startswith("T"):
            kind = NodeKind.BONUS
        else:
            kind = KINDS[code.count(".") + 1]
        nodes.append(Node(row, code, name, kind, Decimal(maximum), parent, by_survey=survey))
    tree_import_commit(methodology, TreePreview(nodes=nodes))
    return {c.code: c for c in methodology.criteria.all()}


@pytest.fixture
def finance(province, make_agency):
    return make_agency(province, "Sở Tài chính", short_name="STC")


@pytest.fixture
def methodology(province):
    return Methodology.objects.create(
        province=province, year=2026, group=TargetGroup.AGENCY, name="Chỉ số CCHC các sở",
        bonus_cap=Decimal(1), penalty_cap=Decimal(1),
    )  # fmt: skip


@pytest.fixture
def criteria(methodology):
    return make_tree(methodology)


TODAY = dt.date(2026, 11, 29)


def deadlines(start=TODAY):
    return {
        "self_opens": start - dt.timedelta(days=10),
        "self_closes": start + dt.timedelta(days=5),
        "appraisal1_closes": start + dt.timedelta(days=10),
        "explanation_closes": start + dt.timedelta(days=15),
        "appraisal2_closes": start + dt.timedelta(days=20),
    }


@pytest.fixture
def far_deadlines():
    """Deadlines around the real today so the stage is open whenever the tests run."""
    from django.utils import timezone

    return deadlines(timezone.localdate())


@pytest.fixture
def round_(methodology, criteria, agency, home_affairs, finance, far_deadlines):
    from assessments.models import AreaAssignment, Stage

    r = round_open(methodology, deadlines=far_deadlines)
    r.stage = Stage.SELF
    r.save()
    AreaAssignment.objects.create(round=r, area=criteria["1"], agency=agency)
    return r


@pytest.fixture
def appraiser(make_user, province, agency):
    """An officer of the justice department, which appraises area 1."""
    return make_user("appraiser", "agency_officer", units=[province], agencies=[agency])


@pytest.fixture
def finance_officer(make_user, province, finance):
    return make_user("finance_officer", "agency_officer", units=[province], agencies=[finance])


def set_stage(round_, stage):
    round_.stage = stage
    round_.save(update_fields=["stage"])
    round_.refresh_from_db()


def pdf_upload(name="bao-cao.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_task_file(province, lead_agency, title="Ban hành kế hoạch CCHC"):
    """A progress file already filed on a task led by `lead_agency`."""
    from django.core.files.base import ContentFile

    from tasks.models import Evidence, Plan, Task

    plan, _ = Plan.objects.get_or_create(
        unit=province, year=2026, agency=None, defaults={"title": "Kế hoạch CCHC năm 2026"}
    )
    plan.ensure_default_areas()
    number = str(plan.tasks.count() + 1)
    task = Task.objects.create(
        plan=plan, area=plan.areas.get(code="I"), number=number, order=int(number), title=title,
        lead_agency=lead_agency, deadline=dt.date(2026, 3, 31),
    )  # fmt: skip
    evidence = Evidence(task=task, original_name="ke-hoach.pdf", content_type="application/pdf", size=40, sha256="x")
    evidence.file.save("ke-hoach.pdf", ContentFile(pdf_upload().read()), save=False)
    evidence.save()
    return evidence


@pytest.fixture
def task_file(province, agency):
    """A progress file of a task led by the justice department."""
    return make_task_file(province, agency)


@pytest.fixture
def finance_task_file(province, finance):
    return make_task_file(province, finance, "Công khai ngân sách")


def xlsx_bytes(rows):
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
