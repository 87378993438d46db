from django.contrib import admin

from .log import record_change, snapshot
from .models import AuditAction, AuditEvent, AuditSource


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "source", "content_type", "object_repr", "province"]
    # Only the kinds of record that appear in the user's (scoped) log.
    list_filter = ["action", "source", ("content_type", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["actor", "content_type", "province"]
    search_fields = ["object_repr", "actor__username", "note"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        # Scoped by the province of the object: a province administrator reads their province's log only.
        return super().get_queryset(request).for_user(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdminMixin:
    """Records every admin create, change and delete as an audit event."""

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        record_change(
            obj,
            actor=request.user,
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            before=before,
            source=AuditSource.ADMIN,
        )

    def delete_model(self, request, obj):
        before = snapshot(obj)
        pk = obj.pk
        super().delete_model(request, obj)
        obj.pk = pk
        record_change(obj, actor=request.user, action=AuditAction.DELETE, before=before, source=AuditSource.ADMIN)
