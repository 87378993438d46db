from django.urls import path

from . import views

app_name = "service_index"
urlpatterns = [
    path("", views.index_page, name="page"),
    path("dossiers/", views.dossier_list, name="dossiers"),
    path("handling-time/", views.handling_time_list, name="handling_times"),
]
urlpatterns += [
    path("published/", views.published_upload, name="published_upload"),
    path("dashboard-block/", views.dashboard_block, name="dashboard_block"),
]
