import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dossiers.models import Dossier, DossierSummary

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _item(receipt, unit="21550", **extra):
    return {
        "receipt_number": receipt,
        "procedure_code": "1.001193",
        "procedure_name": "Đăng ký khai sinh",
        "unit_code": unit,
        "channel": "online_full",
        "received_at": "2025-06-02T08:00:00+07:00",
        "due_at": "04/06/2025 17:00",
        "finished_at": "03/06/2025 10:00",
        "status": "finished",
        **extra,
    }


def test_a_one_stop_system_pushes_dossiers_with_its_token(communes, make_user):
    system = make_user("one-stop", "service_account", units=communes)
    response = _client(system).post(
        reverse("dossier-bulk"), [_item("API-1"), _item("API-2", unit="21551")], format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["inserted"] == 2
    assert Dossier.objects.get(receipt_number="API-1").outcome == "early"
    assert DossierSummary.objects.filter(channel="online_full").count() == 2


def test_pushing_the_same_dossiers_again_changes_nothing(communes, province_admin):
    client = _client(province_admin)
    client.post(reverse("dossier-bulk"), [_item("API-1")], format="json")
    body = client.post(reverse("dossier-bulk"), [_item("API-1")], format="json").json()
    assert (body["inserted"], body["updated"], body["unchanged"]) == (0, 0, 1)


def test_rows_outside_the_callers_units_are_refused_and_the_rest_import(communes, make_user):
    system = make_user("commune-system", "service_account", units=[communes[0]])
    body = _client(system).post(
        reverse("dossier-bulk"), [_item("MINE"), _item("NOT-MINE", unit="21551"), _item("BAD", received_at="x")],
        format="json",
    ).json()  # fmt: skip
    assert body["inserted"] == 1
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(2, "Mã đơn vị"), (3, "Ngày tiếp nhận")]
    assert list(Dossier.objects.values_list("receipt_number", flat=True)) == ["MINE"]


def test_an_outsider_cannot_push_into_another_province(communes, outsider):
    body = _client(outsider).post(reverse("dossier-bulk"), [_item("X")], format="json").json()
    assert body["inserted"] == 0 and len(body["errors"]) == 1
    assert not Dossier.objects.exists()


def test_read_only_roles_cannot_push(communes, leader):
    assert _client(leader).post(reverse("dossier-bulk"), [_item("X")], format="json").status_code == 403


def test_anonymous_callers_are_refused(communes):
    assert APIClient().post(reverse("dossier-bulk"), [_item("X")], format="json").status_code in (401, 403)


def test_an_agency_officer_may_not_push_or_overwrite_dossiers(communes, agency_officer, province_admin):
    _client(province_admin).post(
        reverse("dossier-bulk"), [_item("LATE", finished_at="20/06/2025 10:00")], format="json"
    )
    late = Dossier.objects.get(receipt_number="LATE")
    response = _client(agency_officer).post(reverse("dossier-bulk"), [_item("LATE")], format="json")
    assert response.status_code == 403
    assert Dossier.objects.get(pk=late.pk).outcome == late.outcome == "late"


def test_the_declared_serializer_validates_the_input_with_clear_400_errors(communes, province_admin):
    response = _client(province_admin).post(
        reverse("dossier-bulk"), [_item("OK-1"), _item("BAD-1", channel="fax", receipt_number="")], format="json"
    )
    assert response.status_code == 400
    errors = {(e["row"], e["field"]) for e in response.json()["errors"]}
    assert errors == {(2, "channel"), (2, "receipt_number")}
    assert not Dossier.objects.exists()


def test_a_body_that_is_not_a_list_is_a_400_not_a_500(communes, province_admin):
    response = _client(province_admin).post(reverse("dossier-bulk"), {"receipt_number": "X"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]


@pytest.mark.parametrize("body", [[None], [1], [[]], ["x"]])
def test_a_row_that_is_not_an_object_is_a_400_naming_the_row(communes, province_admin, body):
    """Found by schemathesis: `[null]` was a 500."""
    response = _client(province_admin).post(reverse("dossier-bulk"), body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["row"] == 1


def test_a_body_that_is_not_json_gets_the_documented_error_shape(communes, province_admin):
    """Found by schemathesis: DRF's own {"detail": ...} did not match the documented 400."""
    response = _client(province_admin).post(reverse("dossier-bulk"), "\x00", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]


def test_an_undocumented_field_is_not_read(communes, province_admin):
    body = (
        _client(province_admin)
        .post(reverse("dossier-bulk"), [_item("ONE", unit_code="21550", unit_name="Tỉnh khác")], format="json")
        .json()
    )
    assert body["inserted"] == 1
