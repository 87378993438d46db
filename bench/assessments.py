"""Bench: a province's own index round at full size — the appraiser's area page and the results.

40 departments and 300 communes × 80 criteria (≈ 27,000 score rows). Run against a scratch
PostgreSQL database (the script creates its own province "99" and deletes it at the end):

    DJANGO_DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/<scratch> \
        /work/main/.venv/bin/python bench/assessments.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
os.environ.setdefault("HTTPS", "0")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from assessments.models import AreaAssignment, Methodology, NodeKind, Round, Score, Stage, TargetGroup  # noqa: E402
from assessments.results import results_queryset, round_results  # noqa: E402
from assessments.scoring import round_open  # noqa: E402
from assessments.trees import Node, TreePreview, tree_import_commit  # noqa: E402
from provinces.models import AdministrativeUnit, Agency  # noqa: E402

AREAS, CRITERIA = 8, 10  # 80 leaf criteria, 1 point each


def timed(fn, repeat: int = 7) -> tuple[float, int, object]:
    """Median seconds and the query count of one run."""
    times, result, count = [], None, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
        count = len(queries)
    return statistics.median(times), count, result


def tree() -> TreePreview:
    nodes = []
    for a in range(1, AREAS + 1):
        nodes.append(Node(0, str(a), f"Lĩnh vực {a}", NodeKind.AREA, Decimal(CRITERIA), None, by_survey=a == AREAS))
        for c in range(1, CRITERIA + 1):
            nodes.append(Node(0, f"{a}.{c}", f"Tiêu chí {a}.{c}", NodeKind.CRITERION, Decimal(1), str(a)))
    nodes.append(Node(0, "T1", "Thưởng", NodeKind.BONUS, Decimal(2), None))
    nodes.append(Node(0, "TR1", "Trừ", NodeKind.PENALTY, Decimal(2), None))
    return TreePreview(nodes=nodes)


def build(province, group, subjects) -> Round:
    methodology = Methodology.objects.create(province=province, year=2026, group=group, name=f"Bench {group}",
                                             bonus_cap=2, penalty_cap=2)  # fmt: skip
    tree_import_commit(methodology, tree())
    today = timezone.localdate()
    days = {
        "self_opens": 0,
        "self_closes": 10,
        "appraisal1_closes": 20,
        "explanation_closes": 30,
        "appraisal2_closes": 40,
    }
    round_ = round_open(
        methodology, deadlines={k: today + dt.timedelta(days=v) for k, v in days.items()}, subjects=subjects
    )
    scores = Score.objects.filter(assessment__round=round_)
    # Deterministic spread of figures: self 0 / 0.5 / 1, appraised half a point lower on a third.
    scores.filter(by_survey=False).update(self_score=(F("id") % 3) * Decimal("0.5"))
    scores.filter(by_survey=False).update(appraised_score=F("self_score"))
    scores.filter(by_survey=True).update(survey_score=Decimal("0.75"))
    Round.objects.filter(pk=round_.pk).update(stage=Stage.APPRAISAL_1)
    return Round.objects.get(pk=round_.pk)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agencies", type=int, default=40)
    parser.add_argument("--communes", type=int, default=300)
    parser.add_argument("--explain", action="store_true", help="print PostgreSQL's plan of the results query")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    cleanup()
    with transaction.atomic():
        province, _ = AdministrativeUnit.objects.get_or_create(
            level="province", code="99", defaults={"name": "Tỉnh Bench", "type": "tinh"}
        )
        agencies = [Agency.objects.create(province=province, name=f"Sở Bench {i:02d}") for i in range(args.agencies)]
        communes = [
            AdministrativeUnit.objects.create(
                level="commune",
                code=f"99{i:03d}",
                name=f"Xã Bench {i:03d}",
                type="xa",
                parent=province,
                province=province,
            )  # fmt: skip
            for i in range(args.communes)
        ]
    start = time.perf_counter()
    with transaction.atomic():
        departments = build(province, TargetGroup.AGENCY, agencies)
        commune_round = build(province, TargetGroup.COMMUNE, communes)
    with connection.cursor() as cursor:
        # What autovacuum does after a bulk load; the round's figures were written by three bulk UPDATEs.
        cursor.execute("VACUUM ANALYZE assessments_score")
        cursor.execute("VACUUM ANALYZE assessments_assessment")
    print(f"setup: {Score.objects.filter(assessment__round__methodology__province=province).count():,} score rows "
          f"in {time.perf_counter() - start:.1f} s")  # fmt: skip

    appraiser = User.objects.create_user(username="bench-appraiser", password="x", role="agency_officer")
    appraiser.units.set([province])
    appraiser.agencies.set([agencies[0]])
    area = commune_round.methodology.criteria.get(code="1")
    AreaAssignment.objects.create(round=commune_round, area=area, agency=agencies[0])
    client = Client()
    client.force_login(appraiser)
    unit = commune_round.assessments.order_by("pk")[150]
    url = reverse("assessments:appraisal_area", args=[commune_round.pk, area.pk]) + f"?unit={unit.pk}"
    assert client.get(url).status_code == 200
    seconds, queries, _ = timed(lambda: client.get(url))
    print(f"appraiser's area page (300 communes, area of 10 criteria): {seconds * 1000:.0f} ms, {queries} queries")

    for label, round_ in (("communes (300)", commune_round), ("departments (40)", departments)):
        seconds, queries, rows = timed(lambda round_=round_: round_results(round_))
        sql, params = results_queryset(round_).query.sql_with_params()
        with connection.cursor() as cursor:
            sql_seconds, _n, _r = timed(lambda sql=sql, params=params, cursor=cursor: cursor.execute(sql, params))
            if args.explain:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                print("\n".join(line for (line,) in cursor.fetchall()))
        print(
            f"results of {label}: {seconds * 1000:.0f} ms ({sql_seconds * 1000:.0f} ms in PostgreSQL), "
            f"{queries} queries, {len(rows)} units ranked"
        )

    cleanup()


def cleanup() -> None:
    """Remove what an earlier run left (scores protect their criteria, so rounds go first)."""
    with transaction.atomic():
        Round.objects.filter(methodology__province__code="99", methodology__province__level="province").delete()
        Methodology.objects.filter(province__code="99", province__level="province").delete()
        User.objects.filter(username="bench-appraiser").delete()
        AdministrativeUnit.objects.filter(level="commune", province__code="99", province__level="province").delete()
        Agency.objects.filter(province__code="99", province__level="province").delete()
        AdministrativeUnit.objects.filter(level="province", code="99").delete()


if __name__ == "__main__":
    main()
