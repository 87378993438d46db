"""Closing a stage by hand while the broker is down: no error page, and the stage still closes."""

from django.urls import reverse

from assessments.models import Stage


def test_closing_a_stage_with_the_broker_down_closes_it_in_process_without_a_500(
    client, round_, province_admin, unreachable_broker, django_capture_on_commit_callbacks, caplog
):
    client.force_login(province_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessments:round_close_stage", args=[round_.pk]), follow=True)
    assert response.status_code == 200
    assert "could not queue assessments.advance_round" in caplog.text  # attempted after commit, failed quietly
    round_.refresh_from_db()
    assert round_.stage == Stage.APPRAISAL_1
    assert "Đang đóng giai đoạn" in response.content.decode()
