from django.urls import path

from . import views

app_name = "dossiers"
urlpatterns = [
    path("", views.stats_page, name="stats"),
    path("chart.json", views.stats_chart, name="stats_chart"),
    path("late/", views.late_list, name="late_list"),
    path("imports/", views.import_index, name="import_index"),
    path("imports/<int:pk>/", views.import_job, name="import_job"),
    path("imports/<int:pk>/progress/", views.import_job_progress, name="import_job_progress"),
    path("imports/<int:pk>/cancel/", views.import_job_cancel, name="import_job_cancel"),
    path("imports/<int:pk>/run-again/", views.import_job_run_again, name="import_job_run_again"),
    path("imports/<int:pk>/errors.csv", views.import_job_errors, name="import_job_errors"),
]
