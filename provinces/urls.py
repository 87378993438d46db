from django.urls import path

from . import views

app_name = "provinces"
urlpatterns = [
    path("", views.unit_list, name="unit_list"),
    path("<int:pk>/", views.unit_detail, name="unit_detail"),
    path("<int:province_pk>/agencies/new/", views.agency_create, name="agency_create"),
    path("<int:province_pk>/committee/new/", views.committee_create, name="committee_create"),
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency_detail"),
    path("agencies/<int:pk>/edit/", views.agency_edit, name="agency_edit"),
    path("committee/", views.committee_mine, name="committee_mine"),
    path("committee/<int:pk>/", views.committee_detail, name="committee_detail"),
    path("committee/<int:pk>/edit/", views.committee_edit, name="committee_edit"),
    path("committee/<int:pk>/history/", views.committee_history, name="committee_history"),
    path("committee/<int:committee_pk>/members/new/", views.member_edit, name="member_create"),
    path("committee/<int:committee_pk>/members/<int:pk>/", views.member_edit, name="member_edit"),
    path("committee/<int:committee_pk>/members/<int:pk>/end/", views.member_end_term, name="member_end_term"),
    path(
        "committee/<int:committee_pk>/members/<int:pk>/undo-end/<int:event_pk>/",
        views.member_undo_end,
        name="member_undo_end",
    ),
]
