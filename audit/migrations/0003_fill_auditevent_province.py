"""Best effort: the province of existing audit events, from their objects where they still exist."""

from django.db import migrations

PATHS = [
    ("province", "province_id"),
    ("owner_province", "owner_province_id"),
    ("plan", "plan__province_id"),
    ("task", "task__plan__province_id"),
    ("committee", "committee__province_id"),
    ("edition", "edition__index__owner_province_id"),
    ("index", "index__owner_province_id"),
    ("agency", "agency__province_id"),
]

# Models that name their own path (`audit_province_path`); historical models do not carry it.
DECLARED = {"provinces.agencysuccession": "successor__province_id"}


def fill(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for content_type_id in AuditEvent.objects.values_list("content_type_id", flat=True).distinct():
        content_type = ContentType.objects.get(pk=content_type_id)
        try:
            model = apps.get_model(content_type.app_label, content_type.model)
        except LookupError:
            continue
        names = {f.name for f in model._meta.get_fields()}
        path = DECLARED.get(model._meta.label_lower) or next((p for name, p in PATHS if name in names), None)
        if path is None:
            continue
        is_unit = model._meta.label_lower == "provinces.administrativeunit"
        object_ids = AuditEvent.objects.filter(content_type_id=content_type_id).values_list("object_id", flat=True)
        pks = {int(pk) for pk in object_ids.distinct() if str(pk).isdigit()}
        by_province: dict[int, list[str]] = {}
        for pk, province_id in model._default_manager.filter(pk__in=pks).values_list("pk", path):
            province_id = province_id or (pk if is_unit else None)
            if province_id is not None:
                by_province.setdefault(province_id, []).append(str(pk))
        for province_id, ids in by_province.items():
            for start in range(0, len(ids), 1000):
                AuditEvent.objects.filter(content_type_id=content_type_id, object_id__in=ids[start : start + 1000]).update(
                    province_id=province_id
                )


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_auditevent_province")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
