"""/api/v1/: one router for read-only resources; each app adds its own."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts import api as accounts_api
from assessments import api as assessments_api
from dossiers import api as dossiers_api
from indices import api as indices_api
from provinces import api as provinces_api
from reports import api as reports_api
from service_index import api as service_index_api
from tasks import api as tasks_api

APPS = [
    accounts_api,
    provinces_api,
    tasks_api,
    indices_api,
    dossiers_api,
    reports_api,
    assessments_api,
    service_index_api,
]

router = DefaultRouter()
for module in APPS:
    module.register(router)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
for module in APPS:
    urlpatterns += module.urlpatterns
urlpatterns += [path("", include(router.urls))]
