from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")


class AuditSource(models.TextChoices):
    WEB = "web", _("web form")
    ADMIN = "admin", _("administration")
    API = "api", _("API")
    IMPORT = "import", _("import")
    JOB = "job", _("scheduled job")
    COMMAND = "command", _("command")


# Where the province of an audited object is found, tried in order (field name → lookup path).
# A model may name its own with `audit_province_path`. audit imports no app: paths are strings.
PROVINCE_PATHS = [
    ("province", "province_id"),
    ("owner_province", "owner_province_id"),
    ("plan", "plan__province_id"),
    ("task", "task__plan__province_id"),
    ("committee", "committee__province_id"),
    ("edition", "edition__index__owner_province_id"),
    ("index", "index__owner_province_id"),
    ("agency", "agency__province_id"),
]


def province_path(model) -> str | None:
    """The lookup path from `model` to the id of the province that owns its rows, if any."""
    declared = getattr(model, "audit_province_path", None)
    if declared:
        return declared
    names = {f.name for f in model._meta.get_fields()}
    return next((path for name, path in PROVINCE_PATHS if name in names), None)


def _province_ids(model, pks) -> dict[str, int | None]:
    path = province_path(model)
    if path is None:
        return {}
    rows = model._default_manager.filter(pk__in=list(pks)).values_list("pk", path)
    # A province is its own province (its `province` field is empty).
    is_unit = model._meta.label_lower == "provinces.administrativeunit"
    return {str(pk): (province or (pk if is_unit else None)) for pk, province in rows}


def province_of(instance) -> int | None:
    """The province of an object in memory (works for a deleted object too)."""
    path = province_path(type(instance))
    if path is None:
        return None
    value = instance
    for part in path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            break
    if value is None and instance._meta.label_lower == "provinces.administrativeunit":
        return instance.pk
    return value


class AuditEventQuerySet(models.QuerySet):
    def for_user(self, user):
        """Events of objects of the user's provinces, and the user's own actions."""
        from cchc_portal.scoping import scope_for

        scope = scope_for(user)
        if scope.all:
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(models.Q(province_id__in=scope.province_ids) | models.Q(actor_id=user.pk))

    def bulk_create(self, objs, *args, **kwargs):
        """Fill each event's province from its object (one query per kind of object)."""
        objs = list(objs)
        missing: dict[int, list] = {}
        for event in objs:
            if event.province_id is None and event.content_type_id is not None:
                missing.setdefault(event.content_type_id, []).append(event)
        for content_type_id, events in missing.items():
            model = ContentType.objects.get_for_id(content_type_id).model_class()
            if model is None:
                continue
            provinces = _province_ids(model, {e.object_id for e in events})
            for event in events:
                event.province_id = provinces.get(str(event.object_id))
        return super().bulk_create(objs, *args, **kwargs)

    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
        ).select_related("actor")

    def for_objects(self, model, pks):
        return self.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in pks]
        ).select_related("actor")


class AuditEvent(models.Model):
    """Who changed what, when, from where: old and new values per field.

    Written explicitly by the module functions and imports that change data
    (not by signals), so bulk writes are audited too.
    """

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(_("action"), max_length=10, choices=AuditAction.choices)
    source = models.CharField(_("source"), max_length=10, choices=AuditSource.choices, default=AuditSource.WEB)
    content_type = models.ForeignKey(ContentType, verbose_name=_("kind of record"), on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("object"), max_length=255)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    # The province of the object, for scoping the log (filled on write; empty for national data).
    province = models.ForeignKey(
        "provinces.AdministrativeUnit",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.province_id is None and self.content_type_id is not None and not self.pk:
            model = self.content_type.model_class()
            if model is not None:
                self.province_id = _province_ids(model, [self.object_id]).get(str(self.object_id))
        super().save(*args, **kwargs)
