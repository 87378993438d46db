import django_filters
from rest_framework import serializers, viewsets

from .models import AdministrativeUnit, Agency, SteeringCommittee, SteeringCommitteeMember


class UnitFilter(django_filters.FilterSet):
    valid_on = django_filters.DateFilter(method="filter_valid_on", label="Valid on (YYYY-MM-DD)")
    parent = django_filters.NumberFilter(field_name="parent_id")
    province = django_filters.NumberFilter(field_name="province_id")
    parent_code = django_filters.CharFilter(field_name="parent__code")

    class Meta:
        model = AdministrativeUnit
        fields = ["level", "code", "type", "parent", "province", "parent_code"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.valid_on(value)


class UnitSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None, read_only=True, allow_null=True)

    class Meta:
        model = AdministrativeUnit
        fields = ["id", "code", "name", "level", "type", "parent", "parent_code", "province", "valid_from", "valid_to"]


class UnitDetailSerializer(UnitSerializer):
    predecessors = serializers.SerializerMethodField()
    successors = serializers.SerializerMethodField()

    class Meta(UnitSerializer.Meta):
        fields = UnitSerializer.Meta.fields + ["predecessors", "successors"]

    def _links(self, successions, attr):
        return [
            {
                "id": getattr(s, attr).pk,
                "code": getattr(s, attr).code,
                "name": getattr(s, attr).name,
                "kind": s.kind,
                "effective_date": s.effective_date,
            }
            for s in successions
        ]

    def get_predecessors(self, unit) -> list[dict]:
        return self._links(unit.successions_in.select_related("predecessor"), "predecessor")

    def get_successors(self, unit) -> list[dict]:
        return self._links(unit.successions_out.select_related("successor"), "successor")


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Administrative units: filter by level, code, parent, province and `valid_on` date."""

    filterset_class = UnitFilter

    def get_queryset(self):
        return AdministrativeUnit.objects.for_user(self.request.user).select_related("parent").order_by("level", "code")

    def get_serializer_class(self):
        return UnitDetailSerializer if self.action == "retrieve" else UnitSerializer


class AgencyFilter(django_filters.FilterSet):
    valid_on = django_filters.DateFilter(method="filter_valid_on")

    class Meta:
        model = Agency
        fields = ["province", "kind", "commune"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.valid_on(value)


class AgencySerializer(serializers.ModelSerializer):
    predecessors = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Agency
        fields = ["id", "province", "commune", "kind", "name", "short_name", "valid_from", "valid_to", "predecessors"]


class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AgencySerializer
    filterset_class = AgencyFilter

    def get_queryset(self):
        return Agency.objects.for_user(self.request.user).prefetch_related("predecessors").order_by("province", "name")


class MemberSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", default=None, read_only=True, allow_null=True)
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = SteeringCommitteeMember
        fields = [
            "id",
            "person_name",
            "position",
            "agency",
            "agency_name",
            "role",
            "term_start",
            "term_end",
            "decision_number",
            "is_current",
        ]


class CommitteeSerializer(serializers.ModelSerializer):
    members = MemberSerializer(many=True, read_only=True)

    class Meta:
        model = SteeringCommittee
        fields = [
            "id",
            "province",
            "name",
            "establishing_decision_number",
            "establishing_decision_date",
            "establishing_decision_signer",
            "regulation_decision_number",
            "regulation_decision_date",
            "members",
        ]


class CommitteeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CommitteeSerializer
    filterset_fields = ["province"]

    def get_queryset(self):
        return (
            SteeringCommittee.objects.for_user(self.request.user)
            .prefetch_related("members__agency")
            .order_by("province__code")
        )


urlpatterns: list = []


def register(router) -> None:
    router.register("units", UnitViewSet, basename="unit")
    router.register("agencies", AgencyViewSet, basename="agency")
    router.register("steering-committees", CommitteeViewSet, basename="steering-committee")
