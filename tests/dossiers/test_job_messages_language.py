"""Job messages and history notes reach users in their own language only, from the catalogues."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.translation import override

from audit.history import history_rows
from audit.log import record_change
from audit.models import AuditEvent
from cchc_portal.liveness import (
    CANCELLED_MESSAGE,
    DATABASE_LOST_MESSAGE,
    QUEUE_DOWN_MESSAGE,
    WORKER_LOST_MESSAGE,
    shown_message,
    stored_message,
)
from dossiers.jobs import IMPORT_FAILED_MESSAGE
from dossiers.models import ImportJob, JobStatus

STORED = [WORKER_LOST_MESSAGE, DATABASE_LOST_MESSAGE, QUEUE_DOWN_MESSAGE, CANCELLED_MESSAGE, IMPORT_FAILED_MESSAGE]
NOTES = [
    "reminder sent",
    "run again",
    "agency import",
    "province user",
    "commune committees from the unit registry",
    "province administrator created by command",
]


@pytest.mark.parametrize("msgid", STORED + NOTES)
def test_every_stored_message_and_note_has_a_vietnamese_translation(msgid):
    with override("vi"):
        shown = shown_message(msgid)
    assert shown and shown != msgid
    assert " / " not in shown


def test_a_message_with_parameters_is_translated_when_shown_not_when_stored():
    stored = stored_message("Columns not used: %(columns)s", columns="Ghi chú, Mã cũ")
    with override("vi"):
        vietnamese = shown_message(stored)
    with override("en"):
        english = shown_message(stored)
    assert english == "Columns not used: Ghi chú, Mã cũ"
    assert vietnamese.endswith("Ghi chú, Mã cũ") and not vietnamese.startswith("Columns")


def test_an_older_free_text_message_is_shown_unchanged():
    assert shown_message("Tệp không đọc được.") == "Tệp không đọc được."


@pytest.mark.parametrize(
    ("language", "expected", "absent"), [("vi", "Mất kết nối", "connection"), ("en", "connection was lost", "Mất")]
)
def test_the_job_page_shows_a_failed_job_in_the_readers_language_only(
    client, province, province_admin, language, expected, absent
):
    job = ImportJob.objects.create(
        province=province, created_by=province_admin, status=JobStatus.FAILED, message=DATABASE_LOST_MESSAGE,
        original_name="export.csv",
    )  # fmt: skip
    client.force_login(province_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with override(language):  # the request activates the cookie's language; restore it for the next tests
        page = client.get(reverse("dossiers:import_job", args=[job.pk]))
    text = page.content.decode()
    assert expected in text and absent not in text


def test_a_job_note_in_the_history_reads_in_the_readers_language(province, province_admin):
    record_change(province_admin, actor=province_admin, changes={}, action="update", note="reminder sent")
    events = AuditEvent.objects.filter(note="reminder sent")
    with override("vi"):
        assert history_rows(events)[0].note == "đã gửi nhắc nộp báo cáo"
    with override("en"):
        assert history_rows(events)[0].note == "reminder sent"
