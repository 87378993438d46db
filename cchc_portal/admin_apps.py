"""django.contrib.admin with the portal's admin site (cchc_portal.admin_site: two-factor aware)."""

from django.contrib.admin.apps import AdminConfig as BaseAdminConfig


class AdminConfig(BaseAdminConfig):
    default_site = "cchc_portal.admin_site.AdminSite"
