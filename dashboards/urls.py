from django.urls import path

from . import todo, views

app_name = "dashboards"
urlpatterns = [
    path("", views.leader, name="leader"),
    path("export/<slug:table>.xlsx", views.leader_export, name="leader_export"),
    path("chart/trend.json", views.chart_trend, name="chart_trend"),
    path("chart/plan-status.json", views.chart_plan_status, name="chart_plan_status"),
    path("chart/plan-areas.json", views.chart_plan_areas, name="chart_plan_areas"),
    path("chart/dossiers-monthly.json", views.chart_dossiers_monthly, name="chart_dossiers_monthly"),
    path("national/", views.national, name="national"),
    path("national/map.json", views.national_map, name="national_map"),
    path("national/groups.json", views.national_groups, name="national_groups"),
    path("national/regions.json", views.national_regions, name="national_regions"),
    path("national/export/<slug:table>.xlsx", views.national_export, name="national_export"),
    path("todo/", todo.todo, name="todo"),
    path("todo/count", todo.todo_badge, name="todo_count"),
]
