from django.urls import path

from . import views

app_name = "dossiers"
urlpatterns = [
    path("", views.stats_page, name="stats"),
    path("chart.json", views.stats_chart, name="stats_chart"),
    path("late/", views.late_list, name="late_list"),
    path("late/export/", views.late_export_create, name="late_export_create"),
    path("late/exports/<int:pk>/", views.late_export, name="late_export"),
    path("late/exports/<int:pk>/progress/", views.late_export_progress, name="late_export_progress"),
    path("late/exports/<int:pk>/run-again/", views.late_export_run_again, name="late_export_run_again"),
    path("late/exports/<int:pk>/late.xlsx", views.late_export_download, name="late_export_download"),
    path("imports/", views.import_index, name="import_index"),
    path("imports/<int:pk>/", views.import_job, name="import_job"),
    path("imports/<int:pk>/progress/", views.import_job_progress, name="import_job_progress"),
    path("imports/<int:pk>/cancel/", views.import_job_cancel, name="import_job_cancel"),
    path("imports/<int:pk>/run-again/", views.import_job_run_again, name="import_job_run_again"),
    path("imports/<int:pk>/errors.csv", views.import_job_errors, name="import_job_errors"),
]
