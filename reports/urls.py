from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("open", views.round_open_view, name="open"),
    path("rounds/<int:pk>/", views.board, name="board"),
    path("rounds/<int:pk>/remind", views.board_remind, name="remind"),
    path("rounds/<int:pk>/units", views.board_units, name="units"),
    path("rounds/<int:pk>/deadline", views.board_deadline, name="deadline"),
    path("rounds/<int:pk>/province", views.consolidated, name="consolidated"),
    path("rounds/<int:pk>/figures/<str:code>", views.contribution, name="contribution"),
    path("rounds/<int:pk>/report.docx", views.round_docx, name="round_docx"),
    path("rounds/<int:pk>/annex.xlsx", views.round_xlsx, name="round_xlsx"),
    path("unit/<int:pk>/", views.report_detail, name="report"),
    path("unit/<int:pk>/report.docx", views.report_docx, name="report_docx"),
    path("unit/<int:pk>/annex.xlsx", views.report_xlsx, name="report_xlsx"),
    path("attachments/<int:pk>", views.attachment_download, name="attachment"),
    path("dashboard-block", views.dashboard_block, name="dashboard_block"),
]
