from django.urls import path

from . import views

app_name = "assessments"
urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("methodology/new/", views.methodology_create, name="methodology_create"),
    path("methodology/<int:pk>/", views.methodology_detail, name="methodology_detail"),
    path("methodology/<int:pk>/import/", views.tree_import, name="tree_import"),
    path("methodology/<int:pk>/copy/", views.methodology_copy, name="methodology_copy"),
    path("methodology/<int:pk>/not-applicable/", views.not_applicable_create, name="not_applicable_create"),
    path(
        "methodology/<int:pk>/not-applicable/<int:exclusion_pk>/delete/",
        views.not_applicable_delete,
        name="not_applicable_delete",
    ),
    path("methodology/<int:pk>/link-task/", views.criterion_task_add, name="criterion_task_add"),
    path("methodology/<int:pk>/round/", views.round_create, name="round_create"),
    path("round/<int:pk>/", views.round_detail, name="round_detail"),
    path("round/<int:pk>/close-stage/", views.round_close_stage, name="round_close_stage"),
    path("round/<int:pk>/extend/", views.round_extend, name="round_extend"),
    path("round/<int:pk>/assign/", views.assignment_add, name="assignment_add"),
    path("round/<int:pk>/publish/", views.round_publish_view, name="round_publish"),
    path("round/<int:pk>/survey/", views.survey_import, name="survey_import"),
    path("round/<int:pk>/results/", views.results_page, name="round_results"),
    path("round/<int:pk>/appraise/<int:area_pk>/", views.appraisal_area, name="appraisal_area"),
    path("unit/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("unit/<int:pk>/submit/", views.assessment_submit_view, name="assessment_submit"),
    path("unit/<int:pk>/report.pdf", views.signed_report_download, name="signed_report"),
    path("unit/<int:pk>/export/", views.assessment_export, name="assessment_export"),
    path("unit/<int:pk>/explanation/request/", views.explanation_request_view, name="explanation_request"),
    path("unit/<int:pk>/explanation/send/", views.explanation_submit_view, name="explanation_submit"),
    path("score/<int:pk>/self/", views.score_self, name="score_self"),
    path("score/<int:pk>/appraise/", views.score_appraise, name="score_appraise"),
    path("score/<int:pk>/explain/", views.explanation_answer, name="explanation_answer"),
    path("score/<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", views.evidence_delete, name="evidence_delete"),
]
