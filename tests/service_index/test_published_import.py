"""The national portal's published figures: matched by name or code, bad rows reported, good rows written."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from audit.models import AuditEvent
from service_index.models import PublishedScore

pytestmark = pytest.mark.django_db

HEADER = ("Mã đơn vị,Đơn vị,Công khai, minh bạch,Tiến độ giải quyết,Dịch vụ công trực tuyến,Thanh toán trực tuyến,"
          "Mức độ hài lòng,Số hóa hồ sơ,Tỷ lệ đúng hạn,Số hồ sơ")  # fmt: skip


def _csv(tmp_path, *lines: str):
    path = tmp_path / "cong-dvc.csv"
    # The group name "Công khai, minh bạch" holds a comma: quote every cell as the portal's export does.
    rows = [HEADER, *lines]
    text = "\n".join(",".join(f'"{c}"' for c in _split(line)) for line in rows)
    path.write_text(text, encoding="utf-8-sig")
    return path


def _split(line: str) -> list[str]:
    if line is HEADER:
        first, rest = line.split(",Công khai, minh bạch,")
        return [*first.split(","), "Công khai, minh bạch", *rest.split(",")]
    return line.split(";")


@pytest.fixture
def units(province, communes, agency):
    return province, communes, agency


def test_units_by_code_or_name_are_imported_and_shown_beside_the_computed_figures(
    units, tmp_path, client, province_admin
):
    province, communes, agency = units
    path = _csv(
        tmp_path,
        f"{province.code};{province.name};15,5;19,5;10;6;16;18;97,5;12345",
        f";{communes[1].name};14;18;9;5;15;17;92,1;320",
        "21550;;13;17;8;4;14;16;90;250",
        f";{agency.name};16;20;11;7;17;19;100;80",
    )
    call_command("import_service_index", str(path), province=province.code, period="2026-08")
    assert PublishedScore.objects.count() == 4
    own = PublishedScore.objects.get(unit=province)
    assert str(own.total) == "85.00" and str(own.on_time_rate) == "97.50" and own.dossiers == 12345
    assert AuditEvent.objects.count() == 4
    client.force_login(province_admin)
    page = client.get(reverse("service_index:page") + "?period=2026-08")
    assert page.context["published"] == own
    assert "85,00" in page.content.decode()
    api = client.get(reverse("service-index"), {"unit": province.code, "period": "2026-08", "group_by": "agency"})
    assert api.json()["published"]["source"] == "imported" and api.json()["published"]["total"] == "85.00"
    assert {row["published"]["total"] for row in api.json()["rows"] if row["published"]} == {"90.00"}


def test_a_rate_above_100_and_an_unknown_unit_are_row_errors_and_the_rest_is_imported(units, tmp_path, capsys):
    province, communes, agency = units
    path = _csv(
        tmp_path,
        f";{communes[0].name};14;18;9;5;15;17;100,5;320",
        ";Xã Không Có;14;18;9;5;15;17;90;320",
        f";{communes[1].name};14;25;9;5;15;17;90;320",
        f";{agency.name};16;20;11;7;17;19;99;80",
    )
    call_command("import_service_index", str(path), province=province.code, period="2026-08")
    errors = capsys.readouterr().err
    assert "Tỷ lệ đúng hạn" in errors and "Xã Không Có" in errors and "Tiến độ giải quyết" in errors
    assert list(PublishedScore.objects.values_list("agency__name", flat=True)) == [agency.name]


def test_a_dry_run_writes_nothing(units, tmp_path):
    province, communes, _agency = units
    path = _csv(tmp_path, f";{communes[0].name};14;18;9;5;15;17;90;320")
    call_command("import_service_index", str(path), province=province.code, period="2026-Q3", dry_run=True)
    assert not PublishedScore.objects.exists()


def test_a_file_without_the_portals_headers_is_refused_clearly(units, tmp_path):
    province = units[0]
    path = tmp_path / "other.csv"
    path.write_text("Họ tên,Tuổi\nAn,30\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Công khai, minh bạch"):
        call_command("import_service_index", str(path), province=province.code, period="2026-08")


def test_the_upload_page_previews_then_imports_for_province_admins_only(units, tmp_path, client, province_admin,
                                                                         leader):  # fmt: skip
    province, communes, _agency = units
    path = _csv(tmp_path, f";{communes[0].name};14;18;9;5;15;17;90;320", ";Xã Lạ;1;1;1;1;1;1;1;1")
    url = reverse("service_index:published_upload")
    client.force_login(leader)
    assert client.get(url).status_code == 403
    client.force_login(province_admin)
    with open(path, "rb") as handle:
        response = client.post(url, {"file": handle, "period": "2026-08", "dry_run": "on"})
    assert len(response.context["result"].rows) == 1 and len(response.context["result"].problems) == 1
    assert not PublishedScore.objects.exists()
    with open(path, "rb") as handle:
        client.post(url, {"file": handle, "period": "2026-08"})
    assert PublishedScore.objects.get().unit == communes[0]
