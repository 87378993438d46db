"""Admin helpers shared by every app: scoping through `for_user` and audit."""

from audit.admin import AuditedAdminMixin


class ScopedAdminMixin(AuditedAdminMixin):
    """Admin lists and edits go through the model's `for_user` scoping.

    `province_field` names the path to the province that owns the row; a
    province administrator may change rows of their own province only.
    """

    province_field = "province"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.for_user(request.user) if hasattr(qs, "for_user") else qs

    def _province_id(self, obj):
        value = obj
        for part in self.province_field.split("__"):
            value = getattr(value, part, None)
            if value is None:
                return None
        return value.pk

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        return request.user.can_manage_province(self._province_id(obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        return request.user.can_manage_province(self._province_id(obj))
