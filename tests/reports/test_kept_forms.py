"""Refused saves keep what was typed: the round-opening form after a bad period or deadline, and the
province's report after someone else saved it first (who and when, their values beside the user's)."""

import datetime as dt

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from cchc_portal.lib.periods import ReportingPeriod
from reports.models import ReportRound

from .test_date_inputs import TYPED_REPORT


@pytest.fixture
def colleague(make_user, province):
    """A second Home Affairs officer of the same province."""
    return make_user("colleague", "province_admin", units=[province], is_staff=True, first_name="Trần Thị Lan")


def _page(response) -> str:
    return response.content.decode()


# --- the round list's "open a round" form ---


@pytest.mark.parametrize(
    "typed, message",
    [
        ("31/02/2026", "Hạn nộp của đơn vị không phải là ngày hợp lệ (nhập dd/mm/yyyy)."),
        ("30/09/2026", "Hạn nộp của đơn vị không được sau hạn báo cáo Bộ Nội vụ (20/09/2026)."),
        ("20/09/0026", "Năm phải từ 1900 đến 2100"),
    ],
)
def test_a_refused_opening_shows_the_form_again_as_typed(client, province, agency, province_admin, typed, message):
    client.force_login(province_admin)
    period = ReportingPeriod(2026, "m9")
    events = AuditEvent.objects.count()
    response = client.post(reverse("reports:open"), {"period": period.slug, "internal_deadline": typed})
    assert response.status_code == 400  # not a redirect that drops the input
    page = _page(response)
    assert "Chưa mở đợt báo cáo; xem thông báo trong biểu mẫu." in page
    assert (f'id="id_internal_deadline" value="{typed}" placeholder="dd/mm/yyyy" inputmode="numeric" required '
            'aria-invalid="true" aria-describedby="error_internal_deadline">') in page  # fmt: skip
    assert '<small class="error" id="error_internal_deadline" role="alert">' + message in page
    assert f'<option value="{period.slug}" selected>' in page  # the period chosen stays chosen
    assert not ReportRound.objects.exists()
    assert AuditEvent.objects.count() == events


def test_an_unknown_period_is_said_beside_the_period(client, province, agency, province_admin):
    client.force_login(province_admin)
    response = client.post(reverse("reports:open"), {"period": "2026-xx", "internal_deadline": "10/09/2026"})
    assert response.status_code == 400
    page = _page(response)
    assert '<small class="error" id="error_period" role="alert">Hãy chọn một trong các kỳ được liệt kê.</small>' in page
    assert 'value="10/09/2026"' in page
    assert not ReportRound.objects.exists()


def test_a_refusal_of_the_round_itself_is_said_in_the_form(client, province, agency, province_admin):
    from reports.models import ReportTemplate

    ReportTemplate.objects.all().delete()
    client.force_login(province_admin)
    data = {"period": ReportingPeriod(2026, "m9").slug, "internal_deadline": "10/09/2026"}
    response = client.post(reverse("reports:open"), data)
    assert response.status_code == 400
    page = _page(response)
    assert '<div class="msg msg-error" role="alert">Chưa có mẫu báo cáo.</div>' in page
    assert 'value="10/09/2026"' in page
    assert not ReportRound.objects.exists()


def test_the_kept_opening_form_opens_the_round_once_corrected(client, province, agency, province_admin):
    client.force_login(province_admin)
    data = {"period": ReportingPeriod(2026, "m9").slug, "internal_deadline": "31/02/2026"}
    assert client.post(reverse("reports:open"), data).status_code == 400
    response = client.post(reverse("reports:open"), {**data, "internal_deadline": "10/09/2026"})
    assert response.status_code == 302
    assert ReportRound.objects.get().internal_deadline == dt.date(2026, 9, 10)


# --- the province's report after someone else saved it ---


def test_a_stale_province_report_keeps_the_typed_text_beside_the_saved_one(client, rnd, province_admin, colleague):
    section = rnd.template.active_sections()[0]
    url = reverse("reports:consolidated", args=[rnd.pk])
    opened_at = rnd.version  # both open the page at this version
    client.force_login(colleague)
    theirs = {**TYPED_REPORT, f"text-{section.code}": "Văn bản của chị Lan.", "signer_name": "Trần Thị Lan",
              "document_date": "01/10/2026", "version": opened_at}  # fmt: skip
    assert client.post(url, theirs).status_code == 302
    rnd.refresh_from_db()
    saved_version = rnd.version
    events = AuditEvent.objects.count()

    client.force_login(province_admin)
    mine = {**TYPED_REPORT, f"text-{section.code}": "Văn bản tôi đã gõ\nhai dòng.", "signer_name": "Nguyễn Văn Bình",
            "document_date": "20/09/2026", "version": opened_at}  # fmt: skip
    response = client.post(url, mine)
    assert response.status_code == 409  # the page again, not a redirect that drops what was typed
    page = _page(response)
    assert "Trần Thị Lan đã lưu thay đổi của đợt báo cáo này lúc" in page  # who (and when) saved first
    assert "Trong lúc bạn sửa, người khác đã lưu bản ghi này" in page  # the portal's message for a stale version
    # what I typed, kept in the form...
    assert "Văn bản tôi đã gõ\nhai dòng.</textarea>" in page
    assert 'name="signer_name" id="id_signer_name" value="Nguyễn Văn Bình"' in page
    assert 'id="id_document_date" value="20/09/2026"' in page
    # ...beside what is saved now, field by field, only where they differ
    conflict = page[page.index('data-testid="conflict"') : page.index('data-testid="section-fields"')]
    assert "Văn bản của chị Lan." in conflict and "Văn bản tôi đã gõ\nhai dòng." in conflict
    assert "Trần Thị Lan" in conflict and "01/10/2026" in conflict and "20/09/2026" in conflict
    assert "KT. CHỦ TỊCH" not in conflict  # the same on both sides
    assert f'name="version" value="{saved_version}"' in page  # saving again applies mine over theirs
    rnd.refresh_from_db()  # nothing of mine saved, nothing audited
    assert rnd.signer_name == "Trần Thị Lan" and rnd.texts[section.code] == "Văn bản của chị Lan."
    assert rnd.version == saved_version and AuditEvent.objects.count() == events

    merged = {**mine, f"text-{section.code}": "Văn bản của chị Lan.\nVăn bản tôi đã gõ.", "version": saved_version}
    assert client.post(url, merged).status_code == 302
    rnd.refresh_from_db()
    assert (
        rnd.texts[section.code] == "Văn bản của chị Lan.\nVăn bản tôi đã gõ." and rnd.signer_name == "Nguyễn Văn Bình"
    )


def test_a_version_moved_by_the_boards_deadline_says_nothing_of_the_report_differs(client, rnd, province_admin,
                                                                                    colleague):  # fmt: skip
    url = reverse("reports:consolidated", args=[rnd.pk])
    opened_at = rnd.version
    client.force_login(colleague)  # moves the deadline on the board meanwhile
    client.post(reverse("reports:deadline", args=[rnd.pk]), {"internal_deadline": "12/06/2026", "version": opened_at})
    client.force_login(province_admin)
    as_opened = {name: getattr(rnd, name) for name in ("signer_title", "signer_position", "recipients")}
    response = client.post(url, {**as_opened, "version": opened_at})  # the report as it was: nothing differs
    assert response.status_code == 409
    page = _page(response)
    assert "Trần Thị Lan đã lưu thay đổi của đợt báo cáo này lúc" in page
    assert 'data-testid="no-difference"' in page and "conflict-item" not in page
    rnd.refresh_from_db()
    assert rnd.internal_deadline == dt.date(2026, 6, 12)
    assert f'name="version" value="{rnd.version}"' in page
    assert client.post(url, {**TYPED_REPORT, "version": rnd.version}).status_code == 302
