from django.urls import path

from . import views

app_name = "tasks"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("new/", views.plan_create, name="plan_create"),
    path("my-tasks/", views.my_tasks, name="my_tasks"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/history/", views.plan_history, name="plan_history"),
    path("<int:pk>/export.xlsx", views.plan_export, name="plan_export"),
    path("<int:pk>/import/", views.plan_import, name="plan_import"),
    path("<int:pk>/import/confirm/", views.plan_import_confirm, name="plan_import_confirm"),
    path("<int:plan_pk>/tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/update/", views.task_update, name="task_update"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
]
