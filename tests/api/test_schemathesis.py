"""Property-based API test: schemathesis generates requests from /api/v1/schema/ for every operation,
as a province administrator with data in the database, and checks no response is a 5xx and every
response matches its documented schema (a field documented as a string never comes back null).

Bounded budget: MAX_EXAMPLES per operation (env SCHEMATHESIS_MAX_EXAMPLES), no deadline, derandomised
so a failure reproduces. It runs on SQLite in `make test` and on PostgreSQL in CI.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))


@pytest.fixture
def api_data(province, agency, home_affairs, commune):
    from dossiers.models import Procedure
    from tasks.models import Plan, Task, TaskStatus

    plan = Plan.objects.create(unit=province, year=2026, title="Kế hoạch CCHC năm 2026")
    plan.ensure_default_areas()
    area = plan.areas.first()
    for n, status in enumerate([TaskStatus.IN_PROGRESS, TaskStatus.NOT_STARTED, TaskStatus.COMPLETED], start=1):
        Task.objects.create(
            plan=plan, area=area, number=str(n), title=f"Nhiệm vụ {n}", lead_agency=agency, status=status,
            deadline=dt.date(2026, 12, 31), completion_date=dt.date(2026, 3, 1) if n == 3 else None,
            percent=100 if n == 3 else None,
        )  # fmt: skip
    Procedure.objects.create(code="1.001193", name="Đăng ký khai sinh", level="commune", allowance_days=1)
    return plan


def _load_schema():
    """The schema /api/v1/schema/ serves, generated in-process (no request, no database)."""
    import json

    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    from cchc_portal.wsgi import application

    raw = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    loaded = schemathesis.openapi.from_dict(raw)
    loaded.app = application
    return loaded


schema = _load_schema()


@pytest.fixture
def api_headers(db, province_admin, api_data):
    """A province administrator's token; requests do not close the test's connection (its transaction),
    as with Django's own test client."""
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=province_admin)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {"Authorization": f"Token {token.key}"}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_never_answers_5xx_and_matches_its_schema(case, api_headers):
    response = case.call(headers=api_headers)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
