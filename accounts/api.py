from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from cchc_portal.scoping import scope_for


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.CharField()
    province_ids = serializers.ListField(child=serializers.IntegerField())
    agency_ids = serializers.ListField(child=serializers.IntegerField())
    commune_ids = serializers.ListField(
        child=serializers.IntegerField(), help_text="Communes the user works for without their province."
    )


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request):
    """The signed-in user, their role and scope."""
    scope = scope_for(request.user)
    return Response(
        MeSerializer(
            {
                "username": request.user.username,
                "role": request.user.effective_role,
                "province_ids": sorted(scope.province_ids),
                "agency_ids": sorted(scope.agency_ids),
                "commune_ids": sorted(scope.commune_ids),
            }
        ).data
    )


urlpatterns = [path("me/", me, name="api-me")]


def register(router) -> None:
    pass
