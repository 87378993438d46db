from django.urls import path

from . import views

app_name = "ops"
urlpatterns = [
    path("", views.user_list, name="user_list"),
    path("new/", views.user_create, name="user_create"),
    path("<int:pk>/", views.user_edit, name="user_edit"),
    path("<int:pk>/invite/", views.user_invite, name="user_invite"),
    path("agencies/<int:province_pk>/import/", views.agency_import, name="agency_import"),
    path("agencies/<int:province_pk>/import/sample.xlsx", views.agency_import_sample, name="agency_import_sample"),
    path("agencies/<int:province_pk>/commune-committees/", views.commune_committees, name="commune_committees"),
]
