# ScoreEvidence now shares cchc_portal.files.StoredFile with task evidence and report attachments:
# it gains the file's SHA-256, and a link to a task's file carries that file's name, type, size and digest.

import hashlib

from django.db import migrations, models


def fill_metadata(apps, schema_editor):
    ScoreEvidence = apps.get_model("assessments", "ScoreEvidence")
    for evidence in ScoreEvidence.objects.select_related("task_evidence").iterator():
        linked = evidence.task_evidence
        if linked is not None:
            evidence.original_name, evidence.content_type = linked.original_name, linked.content_type
            evidence.size, evidence.sha256 = linked.size, linked.sha256
        elif evidence.file and evidence.file.storage.exists(evidence.file.name):
            digest = hashlib.sha256()
            with evidence.file.open("rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
            evidence.sha256 = digest.hexdigest()
        else:
            continue
        evidence.save(update_fields=["original_name", "content_type", "size", "sha256"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0001_initial"),
        ("tasks", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="scoreevidence",
            name="sha256",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(fill_metadata, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="scoreevidence",
            name="content_type",
            field=models.CharField(max_length=100),
        ),
        migrations.AlterField(
            model_name="scoreevidence",
            name="original_name",
            field=models.CharField(max_length=255, verbose_name="file name"),
        ),
        migrations.AlterField(
            model_name="scoreevidence",
            name="size",
            field=models.PositiveIntegerField(verbose_name="size"),
        ),
    ]
