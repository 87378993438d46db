from django.urls import path

from . import views

app_name = "indices"
urlpatterns = [
    path("", views.ranking_index, name="ranking_index"),
    path("import/", views.score_import, name="score_import"),
    path("import/<str:token>/confirm/", views.score_import_confirm, name="score_import_confirm"),
    path("<str:code>/<int:year>/", views.ranking_detail, name="ranking_detail"),
    path("<str:code>/unit/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("<str:code>/unit/<int:pk>/chart.json", views.unit_chart, name="unit_chart"),
]
