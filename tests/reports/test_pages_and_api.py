"""Pages and API of the reporting cycle, scoped by role and unit."""

import io

import pytest
from django.urls import reverse
from docx import Document

from reports.models import ReportStatus, UnitReport

from .conftest import MANUAL, submit


def _post_form(client, report, action, **values):
    data = {"version": report.version, "action": action}
    # Automatic figures left blank take the automatic value; typed ones are filled in.
    data.update({f"fig-{k}": v for k, v in MANUAL.items()})
    data.update({f"fig-{k}": v for k, v in values.items()})
    data.update({"text-I": "Chỉ đạo", "text-II": "Kết quả"})
    return client.post(reverse("reports:report", args=[report.pk]), data, follow=True)


def test_an_officer_fills_and_submits_their_units_report_through_the_form(client, dept_report, agency_officer):
    client.force_login(agency_officer)
    page = client.get(reverse("reports:report", args=[dept_report.pk]))
    assert page.status_code == 200 and 'name="fig-TC1"' in page.content.decode()
    response = _post_form(client, dept_report, "submit")
    dept_report.refresh_from_db()
    assert dept_report.status == ReportStatus.SUBMITTED, response.content.decode()[:3000]


def test_a_bad_figure_shows_a_vietnamese_message_beside_the_field_and_saves_nothing(
    client, dept_report, agency_officer
):
    client.force_login(agency_officer)
    response = _post_form(client, dept_report, "save", MT1="120")
    html = response.content.decode()
    assert "Tỷ lệ phần trăm không được vượt quá 100." in html
    dept_report.refresh_from_db()
    assert dept_report.values == {} and dept_report.status == ReportStatus.NOT_STARTED


def test_changing_an_automatic_figure_needs_a_reason(client, dept_report, agency_officer, make_task):
    make_task(agency_officer.agencies.get(), status="completed")
    client.force_login(agency_officer)
    response = _post_form(client, dept_report, "save", NV1="40", NV2="1", NV3="0")
    assert "Bạn đã sửa giá trị tự động" in response.content.decode()
    data = {"reason-NV1": "Kế hoạch bổ sung", "reason-NV2": "Đã cập nhật", "reason-NV3": "-"}
    response = _post_form(client, dept_report, "save", NV1="40", NV2="1", NV3="0", **{})
    dept_report.refresh_from_db()
    assert dept_report.values == {}
    payload = {"version": dept_report.version, "action": "save", **data}
    payload.update({f"fig-{k}": v for k, v in {**MANUAL, "NV1": "40", "NV2": "1", "NV3": "0"}.items()})
    client.post(reverse("reports:report", args=[dept_report.pk]), payload)
    dept_report.refresh_from_db()
    assert dept_report.values["NV1"] == "40" and dept_report.override_reasons["NV1"] == "Kế hoạch bổ sung"


@pytest.fixture
def make_task(province):
    import datetime as dt

    from tasks.models import Plan, Task

    plan = Plan.objects.create(unit=province, year=2026, title="Kế hoạch CCHC năm 2026")
    plan.ensure_default_areas()

    def make(agency, status="not_started"):
        return Task.objects.create(
            plan=plan, area=plan.areas.first(), number=str(Task.objects.count() + 1), title="Nhiệm vụ",
            lead_agency=agency, status=status, deadline=dt.date(2026, 3, 1),
            completion_date=dt.date(2026, 2, 1) if status == "completed" else None,
        )  # fmt: skip

    return make


def test_automatic_figures_come_from_the_units_tasks(dept_report, agency, make_task):
    make_task(agency, status="completed")
    make_task(agency)
    dept_report.refresh_auto_values()
    assert dept_report.auto_values["NV1"] == "2" and dept_report.auto_values["NV2"] == "1"
    assert dept_report.auto_values["NV3"] == "1"  # deadline 1/3 passed by the window's end


def test_officers_see_only_their_units_report(client, dept_report, commune_report, agency_officer):
    client.force_login(agency_officer)
    assert client.get(reverse("reports:report", args=[commune_report.pk])).status_code == 404
    assert client.get(reverse("reports:board", args=[dept_report.round_id])).status_code == 403
    api = client.get("/api/v1/unit-reports/").json()
    assert [r["id"] for r in api["results"]] == [dept_report.pk]


@pytest.mark.parametrize("role", ["province_admin", "leader", "viewer", "national_admin"])
def test_province_staff_leaders_viewers_and_national_admins_read_the_board(client, users_by_role, rnd, role):
    client.force_login(users_by_role[role])
    assert client.get(reverse("reports:board", args=[rnd.pk])).status_code == 200
    assert client.get(reverse("reports:consolidated", args=[rnd.pk])).status_code == 200


def test_another_provinces_admin_sees_nothing(client, rnd, dept_report, outsider):
    client.force_login(outsider)
    assert client.get(reverse("reports:board", args=[rnd.pk])).status_code == 404
    assert client.get(reverse("reports:report", args=[dept_report.pk])).status_code == 404
    assert client.get(f"/api/v1/report-rounds/{rnd.pk}/").status_code == 404
    assert client.get(f"/api/v1/report-rounds/{rnd.pk}/report.docx/").status_code == 404


def test_a_leader_cannot_accept_through_the_form(client, dept_report, agency_officer, leader):
    submit(dept_report, agency_officer)
    client.force_login(leader)
    response = client.post(reverse("reports:report", args=[dept_report.pk]), {"version": dept_report.version,
                                                                              "action": "accept"})  # fmt: skip
    assert response.status_code == 403
    dept_report.refresh_from_db()
    assert dept_report.status == ReportStatus.SUBMITTED


def test_the_board_counts_and_filters(client, rnd, dept_report, commune_report, agency_officer, province_admin):
    submit(dept_report, agency_officer)
    client.force_login(province_admin)
    page = client.get(reverse("reports:board", args=[rnd.pk]))
    assert "1/2 đã nộp, 1 nộp muộn, 1 chưa nộp" in page.content.decode()
    page = client.get(reverse("reports:board", args=[rnd.pk]), {"state": "missing"})
    assert commune_report.agency.name in page.content.decode()
    assert dept_report.agency.name not in page.content.decode()
    export = client.get(reverse("reports:board", args=[rnd.pk]), {"format": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_board_runs_a_fixed_number_of_queries(client, rnd, province_admin, django_assert_num_queries, make_agency):
    client.force_login(province_admin)
    url = reverse("reports:board", args=[rnd.pk])
    client.get(url)
    with django_assert_num_queries(9):  # the pager's count included
        client.get(url)
    for n in range(5):
        agency = make_agency(rnd.province, f"Sở số {n}")
        UnitReport.objects.create(round=rnd, agency=agency, province=rnd.province)
    with django_assert_num_queries(9):
        client.get(url)


def test_the_board_is_paginated_in_vietnamese_and_the_pager_keeps_the_filters(
    client, rnd, dept_report, province_admin, django_assert_num_queries, make_agency
):
    from reports.views import BOARD_PAGE_SIZE

    for n in range(BOARD_PAGE_SIZE + 3):
        agency = make_agency(rnd.province, f"Sở số {n:02d}")
        UnitReport.objects.create(round=rnd, agency=agency, province=rnd.province)
    client.force_login(province_admin)
    url = reverse("reports:board", args=[rnd.pk])
    first = client.get(url, {"kind": "department", "state": "missing"})
    html = first.content.decode()
    assert len(first.context["page"].object_list) == BOARD_PAGE_SIZE
    assert "Trang 1/2" in html and "Trang sau ›" in html
    assert "?kind=department&amp;state=missing&page=2" in html
    with django_assert_num_queries(9):  # the same on the second page: the rows of one page only
        second = client.get(url, {"kind": "department", "state": "missing", "page": "2"})
    names = [r.agency.name for r in second.context["page"].object_list]
    assert len(names) == 4  # 53 new departments + the fixture's, 50 on the first page
    assert "?kind=department&amp;state=missing&page=1" in second.content.decode()
    assert "‹ Trang trước" in second.content.decode()
    # Beyond the last page or nonsense: the last or first page, never an error.
    assert client.get(url, {"page": "99"}).status_code == 200
    assert client.get(url, {"page": "abc"}).status_code == 200


def test_the_late_filter_counts_pages_of_late_units_only(
    client, rnd, dept_report, commune_report, agency_officer, province_admin
):
    submit(dept_report, agency_officer)  # after the 10/06/2026 deadline of the fixture round: late
    client.force_login(province_admin)
    page = client.get(reverse("reports:board", args=[rnd.pk]), {"timing": "late"}).context["page"]
    late = {r.agency_id for r in page.object_list}
    assert dept_report.agency_id in late
    assert all(r.is_late for r in page.object_list)
    assert page.paginator.count == len(late)


def test_the_dashboard_block_runs_a_fixed_number_of_queries(client, rnd, leader, django_assert_num_queries):
    client.force_login(leader)
    url = reverse("reports:dashboard_block") + f"?province={rnd.province.code}"
    client.get(url)
    with django_assert_num_queries(5):
        page = client.get(url)
    assert "0/2" in page.content.decode()


def test_the_api_filters_rounds_by_province_and_period_and_gives_counts(client, rnd, dept_report, agency_officer,
                                                                       province_admin):  # fmt: skip
    submit(dept_report, agency_officer)
    client.force_login(province_admin)
    data = client.get("/api/v1/report-rounds/", {"province": "52", "period": "2026-H1"}).json()["results"]
    assert len(data) == 1 and data[0]["period"] == "2026-H1"
    assert data[0]["counts"]["expected"] == 2 and data[0]["counts"]["submitted"] == 1
    assert client.get("/api/v1/report-rounds/", {"period": "2026-Q3"}).json()["results"] == []
    subs = client.get(f"/api/v1/report-rounds/{rnd.pk}/submissions/").json()
    assert {s["status"] for s in subs} == {"submitted", "not_started"}
    figures = client.get(f"/api/v1/report-rounds/{rnd.pk}/figures/").json()
    assert {f["code"] for f in figures} >= {"NV1", "HS6"}
    docx = client.get(f"/api/v1/report-rounds/{rnd.pk}/report.docx/")
    assert docx.status_code == 200 and Document(io.BytesIO(docx.content)).tables
    assert client.get(f"/api/v1/report-rounds/{rnd.pk}/annex.xlsx/").status_code == 200


def test_the_api_runs_transitions_with_the_same_rules(client, dept_report, agency_officer, province_admin):
    client.force_login(agency_officer)
    url = f"/api/v1/unit-reports/{dept_report.pk}/transition/"
    bad = client.post(url, {"action": "submit", "version": 0, "values": {"TC1": "x"}}, content_type="application/json")
    assert bad.status_code == 400 and "TC1" in bad.json()
    ok = client.post(url, {"action": "submit", "version": 0, "values": MANUAL},
                     content_type="application/json")  # fmt: skip
    assert ok.status_code == 200 and ok.json()["status"] == "submitted"
    again = client.post(url, {"action": "save", "version": 1, "values": MANUAL}, content_type="application/json")
    assert again.status_code == 409
    assert client.post(url, {"action": "accept", "version": 1}, content_type="application/json").status_code == 403
    client.force_login(province_admin)
    stale = client.post(url, {"action": "accept", "version": 0}, content_type="application/json")
    assert stale.status_code == 409
    done = client.post(url, {"action": "accept", "version": 1}, content_type="application/json")
    assert done.json()["status"] == "accepted"


def test_an_attachment_is_checked_like_task_evidence(client, dept_report, agency_officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(agency_officer)
    data = {"version": 0, "action": "save", "fig-TC1": "1"}
    fake = SimpleUploadedFile("bao-cao.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post(reverse("reports:report", args=[dept_report.pk]), {**data, "attachment": fake}, follow=True)
    assert "không đúng định dạng" in response.content.decode()
    dept_report.refresh_from_db()
    assert dept_report.version == 0 and not dept_report.attachments.exists()
    pdf = SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    client.post(reverse("reports:report", args=[dept_report.pk]), {**data, "attachment": pdf})
    attachment = dept_report.attachments.get()
    assert client.get(attachment.get_absolute_url()).status_code == 200


def test_province_staff_edit_who_is_expected_to_report(client, rnd, dept_report, commune_report, province_admin,
                                                      home_affairs, agency_officer):  # fmt: skip
    client.force_login(province_admin)
    url = reverse("reports:units", args=[rnd.pk])
    client.post(url, {"add": home_affairs.pk})
    assert rnd.reports.filter(agency=home_affairs).exists()
    client.post(url, {"remove": commune_report.pk})
    assert not rnd.reports.filter(pk=commune_report.pk).exists()
    submit(dept_report, agency_officer)
    client.post(url, {"remove": dept_report.pk})
    assert rnd.reports.filter(pk=dept_report.pk).exists()
    client.force_login(agency_officer)
    assert client.post(url, {"add": home_affairs.pk}).status_code == 403


def test_the_board_and_report_show_a_submission_whose_submitter_was_deleted(client, rnd, dept_report, agency_officer,
                                                                            province_admin, make_user):  # fmt: skip
    gone = make_user("gone", "agency_officer", agencies=[dept_report.agency])
    submit(dept_report, gone)
    gone.delete()
    client.force_login(province_admin)
    assert client.get(reverse("reports:board", args=[rnd.pk])).status_code == 200
    assert client.get(reverse("reports:report", args=[dept_report.pk])).status_code == 200


def test_anonymous_requests_are_refused_not_crashed(client, rnd, dept_report):
    assert client.get("/api/v1/unit-reports/").status_code in (401, 403)
    assert client.get("/api/v1/report-rounds/").status_code in (401, 403)
    assert client.get(reverse("reports:board", args=[rnd.pk])).status_code == 302


def test_province_staff_move_the_deadline_and_a_stale_form_is_refused(client, rnd, province_admin, leader):
    import datetime as dt

    client.force_login(province_admin)
    url = reverse("reports:deadline", args=[rnd.pk])
    response = client.post(url, {"internal_deadline": "2026-06-15", "version": 0}, follow=True)
    assert "Hạn nộp của đơn vị đã đổi thành 15/06/2026." in response.content.decode()
    response = client.post(url, {"internal_deadline": "2026-06-12", "version": 0}, follow=True)
    assert (
        "Dữ liệu đã được người khác cập nhật" in response.content.decode() or "người khác" in response.content.decode()
    )
    client.post(url, {"internal_deadline": "2026-06-25", "version": 1})  # after the Ministry's 20th
    rnd.refresh_from_db()
    assert rnd.internal_deadline == dt.date(2026, 6, 15)
    client.force_login(leader)
    assert client.post(url, {"internal_deadline": "2026-06-12", "version": 1}).status_code == 403


def test_a_reopened_report_shows_what_changed_after_acceptance(client, dept_report, agency_officer, province_admin):
    submit(dept_report, agency_officer)
    dept_report.apply("accept", user=province_admin, expected_version=dept_report.version)
    client.force_login(province_admin)
    url = reverse("reports:report", args=[dept_report.pk])
    client.post(url, {"version": dept_report.version, "action": "reopen", "reason": "Sai số văn bản"})
    dept_report.refresh_from_db()
    assert dept_report.status == ReportStatus.RETURNED
    submit(dept_report, agency_officer, TC1="9")
    page = client.get(url).content.decode()
    assert 'data-testid="changed-after-acceptance"' in page and "Đã thay đổi sau khi chấp nhận" in page
    assert "TC1 Số văn bản quy phạm pháp luật được ban hành" in page
