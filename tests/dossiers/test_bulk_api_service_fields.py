"""The bulk API takes the optional Decision 766 facts and checks them as the file import does."""

import pytest
from django.urls import reverse

from dossiers.models import Dossier

from .test_bulk_api import _client, _item

pytestmark = pytest.mark.django_db


def test_pushed_766_facts_are_stored_on_the_dossier(communes, province_admin):
    response = _client(province_admin).post(
        reverse("dossier-bulk"),
        [_item("SVC-1", e_result="https://ketqua.example/1.pdf", fee_bearing="50.000", paid_online="Cổng DVC quốc gia",
               digitised=True, reused="Không", vneid=1, complaint=False, supplement_count=0)],
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["inserted"] == 1
    dossier = Dossier.objects.get(receipt_number="SVC-1")
    assert (dossier.e_result, dossier.fee_bearing, dossier.paid_online) == (True, True, True)
    assert (dossier.digitised, dossier.reused, dossier.vneid, dossier.complaint) == (True, False, True, False)
    assert dossier.supplement_count == 0
    assert dossier.online_766 is True


def test_facts_no_dossier_gives_stay_no_data(communes, province_admin):
    _client(province_admin).post(reverse("dossier-bulk"), [_item("PLAIN")], format="json")
    dossier = Dossier.objects.get(receipt_number="PLAIN")
    assert (dossier.e_result, dossier.paid_online, dossier.digitised, dossier.supplement_count) == (None,) * 4


def test_a_fact_given_for_one_dossier_reads_as_no_for_the_others(communes, province_admin):
    _client(province_admin).post(reverse("dossier-bulk"), [_item("WITH", vneid="Có"), _item("WITHOUT")], format="json")
    assert dict(Dossier.objects.values_list("receipt_number", "vneid")) == {"WITH": True, "WITHOUT": False}


def test_bad_766_values_are_row_errors_and_the_rest_import(communes, province_admin):
    body = _client(province_admin).post(
        reverse("dossier-bulk"),
        [_item("OK", digitised="x"), _item("BAD-FLAG", digitised="perhaps"),
         _item("FREE-BUT-PAID", fee_bearing="Miễn phí", paid_online="yes"),
         _item("BACKWARDS", supplement_requested_at="03/06/2025", supplement_completed_at="02/06/2025")],
        format="json",
    ).json()  # fmt: skip
    assert body["inserted"] == 1
    assert [(e["row"], e["column"]) for e in body["errors"]] == [
        (2, "Số hóa thành phần hồ sơ"),
        (3, "Thanh toán trực tuyến"),
        (4, "Ngày hoàn thành bổ sung"),
    ]
    assert list(Dossier.objects.values_list("receipt_number", flat=True)) == ["OK"]


def test_a_766_value_of_the_wrong_type_is_refused_before_anything_is_written(communes, province_admin):
    response = _client(province_admin).post(reverse("dossier-bulk"), [_item("LIST", e_result=["yes"])], format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "e_result"
    assert not Dossier.objects.exists()
