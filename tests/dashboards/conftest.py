"""Dashboard fixtures: the 63 + 34 provinces, index results for every province, Gia Lai's plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.indices.conftest import all_methodologies, index_provinces  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def province_of(code: str, year: int):
    from provinces.models import AdministrativeUnit

    date = "2025-06-30" if year < 2025 else "2025-07-01"
    return AdministrativeUnit.objects.provinces().valid_on(date).get(code=code)


def score_for(code: str, year: int, index_code: str) -> Decimal:
    """A distinct, deterministic total per (province, year, index)."""
    base = {"PAPI": Decimal("38"), "PAR_INDEX": Decimal("78"), "SIPAS": Decimal("80")}[index_code]
    wobble = (int(code) * 37 + year * 11) % 97
    return (base + Decimal(wobble) / 13).quantize(Decimal("0.0001"))


def give_totals(index_code: str, year: int, overrides: dict[str, str] | None = None, skip=()) -> None:
    from indices.models import Edition, Score
    from provinces.models import AdministrativeUnit

    edition = Edition.objects.get(index__code=index_code, year=year)
    date = "2025-06-30" if year < 2025 else "2025-07-01"
    overrides = overrides or {}
    Score.objects.bulk_create(
        Score(
            edition=edition, unit=unit, value=Decimal(overrides.get(unit.code, score_for(unit.code, year, index_code)))
        )
        for unit in AdministrativeUnit.objects.provinces().valid_on(date)
        if unit.code not in skip
    )


@pytest.fixture
def index_results(all_methodologies):  # noqa: F811
    """PAPI and PAR INDEX totals for every province 2023–2025, ranked (SIPAS left empty)."""
    from indices.rankings import rankings_compute_all

    for code in ("PAPI", "PAR_INDEX"):
        for year in (2023, 2024, 2025):
            give_totals(code, year)
    rankings_compute_all()


@pytest.fixture
def gia_lai(index_provinces):  # noqa: F811
    """The current Gia Lai (52), merged on 1/7/2025 from the old Gia Lai and Bình Định."""
    return province_of("52", 2025)


@pytest.fixture
def khanh_hoa(index_provinces):  # noqa: F811
    return province_of("56", 2025)


@pytest.fixture
def gia_lai_leader(make_user, gia_lai):
    return make_user("gl_leader", "leader", units=[gia_lai])


@pytest.fixture
def gia_lai_admin(make_user, gia_lai):
    return make_user("gl_admin", "province_admin", units=[gia_lai])


@pytest.fixture
def khanh_hoa_leader(make_user, khanh_hoa):
    return make_user("kh_leader", "leader", units=[khanh_hoa])


@pytest.fixture
def gia_lai_agencies(gia_lai, make_agency):
    return {
        "home": make_agency(gia_lai, "Sở Nội vụ"),
        "justice": make_agency(gia_lai, "Sở Tư pháp"),
        "finance": make_agency(gia_lai, "Sở Tài chính"),
    }


def make_tasks(plan, agencies, count: int, *, start: int = 0) -> list:
    """`count` tasks cycling through statuses and deadlines around today."""
    from tasks.models import Task, TaskStatus

    today = timezone.localdate()
    statuses = [TaskStatus.COMPLETED, TaskStatus.IN_PROGRESS, TaskStatus.NOT_STARTED, TaskStatus.ONGOING]
    areas = list(plan.areas.all())
    leads = list(agencies.values())
    tasks = []
    for n in range(start, start + count):
        status = statuses[n % 4]
        deadline = today + dt.timedelta(days=(n % 7) * 15 - 45)  # -45 .. +45 days
        tasks.append(
            Task(
                plan=plan,
                area=areas[n % len(areas)],
                number=str(n + 1),
                order=n,
                title=f"Nhiệm vụ số {n + 1}",
                lead_agency=leads[n % len(leads)],
                status=status,
                deadline=deadline,
                completion_date=deadline if status == TaskStatus.COMPLETED else None,
            )
        )
    return Task.objects.bulk_create(tasks)


@pytest.fixture
def gia_lai_plan(gia_lai, gia_lai_agencies):
    """This year's plan: 12 tasks (3 completed, 3 not started, …), criteria links, figures computed."""
    from tasks.figures import plan_figures_compute
    from tasks.models import Plan, Task, TaskCriterion, TaskStatus

    year = timezone.localdate().year
    plan = Plan.objects.create(unit=gia_lai, year=year, title=f"Kế hoạch CCHC năm {year} tỉnh Gia Lai")
    plan.ensure_default_areas()
    tasks = make_tasks(plan, gia_lai_agencies, 12)
    today = timezone.localdate()
    overdue = Task.objects.create(
        plan=plan,
        area=plan.areas.get(code="II"),
        number="99",
        order=99,
        title="=Rà soát thủ tục hành chính",  # starts with "=": neutralised in exports
        lead_agency=gia_lai_agencies["justice"],
        status=TaskStatus.IN_PROGRESS,
        deadline=today - dt.timedelta(days=10),
    )
    not_started = next(t for t in tasks if t.status == TaskStatus.NOT_STARTED)
    TaskCriterion.objects.create(task=overdue, index_code="PAPI", component_code="D5.2")
    TaskCriterion.objects.create(task=not_started, index_code="PAR", component_code="L3")
    TaskCriterion.objects.create(task=not_started, index_code="PAR", component_code="3.2")
    completed = next(t for t in tasks if t.status == TaskStatus.COMPLETED)
    TaskCriterion.objects.create(task=completed, index_code="PAPI", component_code="D8")
    plan_figures_compute(plan.pk)
    return plan


@pytest.fixture
def gia_lai_dossiers(gia_lai, gia_lai_agencies, make_commune):
    """Monthly dossier summaries for two communes and the provincial agencies; returns a function to add
    more months. Finished-on-time figures differ per unit so the worst performers are well defined."""
    from cchc_portal.cache import bump_generation
    from cchc_portal.lib.workdays import add_months, first_of_month
    from dossiers.models import DossierSummary, ImportJob, JobStatus

    communes = [make_commune(gia_lai, "23701", "Phường Pleiku"), make_commune(gia_lai, "23702", "Xã Ia Grai")]
    ImportJob.objects.create(province=gia_lai, status=JobStatus.SUCCEEDED, finished_at=timezone.now())
    done = {"months": 0}

    def add(months: int = 12) -> None:
        this_month = first_of_month(timezone.localdate())
        rows = []
        for back in range(done["months"], months):
            month = add_months(this_month, -back)
            for i, unit in enumerate(communes):
                rows.append(
                    DossierSummary(
                        receiving_unit=unit, province=gia_lai, month=month, channel="online_full",
                        procedure_level="commune", received=40, closed=40, finished_early=20,
                        finished_on_time=18 - 6 * i, finished_late=2 + 6 * i,
                    )
                )  # fmt: skip
            for i, agency in enumerate(gia_lai_agencies.values()):
                rows.append(
                    DossierSummary(
                        receiving_unit=gia_lai, province=gia_lai, agency=agency, month=month, channel="in_person",
                        procedure_level="province", received=30, closed=30, finished_early=10,
                        finished_on_time=19 - i, finished_late=1 + i,
                    )
                )  # fmt: skip
        DossierSummary.objects.bulk_create(rows)
        done["months"] = max(done["months"], months)
        # As every writer of the summaries does: a block cached (or warmed, e.g. by a plan figures
        # job in the same test) before these rows must not be served after them.
        bump_generation("dossier-stats")

    add()
    return add
