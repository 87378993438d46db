"""One action creates a province's commune people's committees from the unit registry."""

import io

from django.core.management import call_command

from provinces.models import Agency, AgencyKind


def test_committees_are_created_once_for_each_current_commune(province, make_commune, other_province):
    make_commune(province, "21550", "Phường Quy Nhơn")
    make_commune(province, "21551", "Xã Ia Grai")
    make_commune(other_province, "22000", "Phường Nha Trang")
    call_command("create_commune_committees", province="52", stdout=io.StringIO())
    call_command("create_commune_committees", province="52", stdout=io.StringIO())
    names = sorted(Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE).values_list("name", flat=True))
    assert names == ["Ủy ban nhân dân Phường Quy Nhơn", "Ủy ban nhân dân Xã Ia Grai"]
