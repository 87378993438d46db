"""Benchmark-only views, routed only when CCHC_BENCH_VIEWS=1 (see bench/README.md).

`bench_trivial` is the ceiling the dashboard benchmarks are compared with: the
same server, middleware and session authentication as a real page, and no work
of its own. It does not exist in a normal deployment (cchc_portal/urls.py).
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def bench_trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
