"""Stored import uploads are deleted once their job is long finished; the job row stays."""

import datetime as dt

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from dossiers.models import ImportJob, JobStatus


def _job(province, *, status, finished_days_ago):
    job = ImportJob(province=province, status=status, original_name="export.csv")
    job.file.save("export.csv", ContentFile(b"x" * 1000), save=False)
    job.finished_at = timezone.now() - dt.timedelta(days=finished_days_ago) if finished_days_ago is not None else None
    job.save()
    return job


def test_old_finished_uploads_are_deleted_and_recent_or_running_ones_kept(province, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    old = _job(province, status=JobStatus.SUCCEEDED, finished_days_ago=40)
    recent = _job(province, status=JobStatus.FAILED, finished_days_ago=3)
    running = _job(province, status=JobStatus.RUNNING, finished_days_ago=None)
    ImportJob.objects.filter(pk=running.pk).update(created_at=timezone.now() - dt.timedelta(days=60))
    path = old.file.path
    call_command("cleanup_uploads", days=30)
    old.refresh_from_db(), recent.refresh_from_db(), running.refresh_from_db()
    assert not old.file and not (tmp_path / path).exists()
    assert old.status == JobStatus.SUCCEEDED and not old.can_run_again
    assert recent.file and running.file
