"""The plan import's agency matching: former agencies lead to their successors, collective names stay text."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from provinces.models import AgencyKind, AgencySuccession
from tasks import importing
from tasks.models import Task

from .conftest import xlsx_bytes

HEADER = ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành", "Sản phẩm"]
MERGER = dt.date(2025, 3, 1)


@pytest.fixture
def merged(province, make_agency, make_commune, home_affairs):
    science = make_agency(province, "Sở Khoa học và Công nghệ", valid_from=MERGER)
    construction = make_agency(province, "Sở Xây dựng", valid_from=MERGER)
    health = make_agency(province, "Sở Y tế")
    day_before = MERGER - dt.timedelta(days=1)
    for name, successors in (
        ("Sở Thông tin và Truyền thông", [science]),
        ("Sở Giao thông vận tải", [construction]),
        ("Sở Lao động - Thương binh và Xã hội", [home_affairs, health]),
    ):
        former = make_agency(province, name, valid_to=day_before)
        for successor in successors:
            AgencySuccession.objects.create(predecessor=former, successor=successor, effective_date=MERGER)
    # Communes whose names are close to the former departments' words: never suggested for them.
    for code, name in (("21600", "Xã Thông Hòa"), ("21601", "Phường Truyền Thông")):
        commune = make_commune(province, code, name)
        make_agency(province, f"Ủy ban nhân dân {name}", commune=commune, kind=AgencyKind.COMMUNE_COMMITTEE)
    return {"science": science, "construction": construction}


def rows(*tasks):
    return [HEADER, ["I", "CẢI CÁCH THỂ CHẾ"], *tasks]


def test_a_department_merged_in_2025_is_matched_to_its_successor_with_a_warning_naming_both(plan, merged):
    preview = importing.plan_import_preview(
        plan,
        rows(
            [1, "Số hóa hồ sơ", "Sở Thông tin và Truyền thông", None, "30/06/2026", "x"],
            [2, "Cải tạo bến xe", "SỞ GIAO THÔNG VẬN TẢI", "Sở Thông tin và Truyền thông", "30/09/2026", "x"],
        ),
    )
    assert preview.ok, [r.errors for r in preview.error_rows]
    first, second = preview.tasks
    assert first.lead_agency == merged["science"]
    assert second.lead_agency == merged["construction"]
    assert second.coordinating == [merged["science"]]
    (warning,) = first.warnings
    assert "Sở Thông tin và Truyền thông" in warning and "Sở Khoa học và Công nghệ" in warning
    assert "01/03/2025" in warning
    assert len(preview.warnings) == 2  # each merger once, however many rows name it


def test_a_former_department_split_between_two_is_an_error_naming_both_never_a_commune(plan, merged):
    preview = importing.plan_import_preview(
        plan, rows([1, "Chính sách", "Sở Lao động - Thương binh và Xã hội", None, "30/06/2026", "x"])
    )
    (row,) = preview.error_rows
    message = " ".join(row.errors)
    assert "Sở Nội vụ" in message and "Sở Y tế" in message
    assert "Ủy ban nhân dân" not in message


def test_an_unknown_department_is_never_offered_a_commune(plan, merged):
    preview = importing.plan_import_preview(
        plan, rows([1, "Truyền thông", "Sở Thông tin Truyền thông tỉnh", None, "30/06/2026", "x"])
    )
    for row in preview.tasks:
        assert row.lead_agency is None or row.lead_agency.kind != AgencyKind.COMMUNE_COMMITTEE
        assert "Truyền Thông" not in " ".join(row.errors)


@pytest.mark.parametrize(
    "collective", ["UBND cấp xã", "UBND các xã, phường", "Ủy ban nhân dân các xã, phường, đặc khu", "các sở, ngành"]
)
def test_collective_names_among_coordinating_bodies_are_kept_as_text(plan, agency, collective):
    preview = importing.plan_import_preview(
        plan, rows([1, "Tuyên truyền", "Sở Tư pháp", f"{collective}; Sở Tư pháp", "30/06/2026", "x"])
    )
    assert preview.ok, [r.errors for r in preview.error_rows]
    (row,) = preview.tasks
    assert row.coordinating_note == collective


def test_a_collective_lead_agency_is_a_clear_error(plan, agency):
    preview = importing.plan_import_preview(plan, rows([1, "Rà soát", "UBND cấp xã", None, "30/06/2026", "x"]))
    (row,) = preview.error_rows
    assert "tên chung của nhiều cơ quan" in " ".join(row.errors)


@pytest.mark.parametrize(
    "typed",
    [
        "Sở Tư pháp",
        "so tu phap",
        "SỞ TƯ PHÁP",
        "Sở Tư\u200b pháp",  # a zero-width space pasted from the web
        "So\u031b\u0309 Tu\u031b pha\u0301p",  # NFD, as some Mac and Windows tools save it
        "STP",
        "Tư pháp",
        "Sở Tư pháp tỉnh Gia Lai",
    ],
)
def test_an_agency_is_found_however_its_name_is_typed(plan, agency, typed):
    preview = importing.plan_import_preview(plan, rows([1, "Rà soát", typed, None, "30/06/2026", "x"]))
    assert preview.ok, [r.errors for r in preview.error_rows]
    assert preview.tasks[0].lead_agency == agency


def test_the_preview_page_shows_the_successor_warning(client, province_admin, plan, merged):
    client.force_login(province_admin)
    data = xlsx_bytes(rows([1, "Số hóa hồ sơ", "Sở Thông tin và Truyền thông", None, "30/06/2026", "x"]))
    upload = SimpleUploadedFile("annex.xlsx", data)
    response = client.post(reverse("tasks:plan_import", args=[plan.pk]), {"file": upload})
    body = response.content.decode()
    assert response.status_code == 200
    assert "đã hợp nhất vào" in body and "Sở Khoa học và Công nghệ" in body
    assert not Task.objects.exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_import_preview_in_a_browser_names_the_former_agency_and_its_successor(
    live_server, page, browser_login, province_admin, plan, merged, tmp_path, artifacts_dir
):
    path = tmp_path / "phu-luc.xlsx"
    path.write_bytes(
        xlsx_bytes(
            rows(
                [1, "Số hóa hồ sơ", "Sở Thông tin và Truyền thông", "UBND cấp xã", "30/06/2026", "Hệ thống"],
                [2, "Cải tạo bến xe", "Sở Giao thông vận tải", "Sở Tư pháp lạ", "Quý III/2026", "Báo cáo"],
            )
        )
    )
    browser_login(page, province_admin)
    page.goto(f"{live_server.url}{reverse('tasks:plan_import', args=[plan.pk])}")
    page.set_input_files("#id_file", str(path))
    page.click("form.card button[type=submit].primary")
    page.wait_for_selector("[data-testid=import-warnings]")
    warnings = page.inner_text("[data-testid=import-warnings]")
    assert "Sở Thông tin và Truyền thông" in warnings and "Sở Khoa học và Công nghệ" in warnings
    assert "Sở Giao thông vận tải" in warnings and "Sở Xây dựng" in warnings
    assert "Ủy ban nhân dân" not in page.inner_text("table.import-preview")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(artifacts_dir / "plan-import-successor-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts_dir / "plan-import-successor-390.png"), full_page=True)
    page.emulate_media(media="print")
    page.pdf(path=str(artifacts_dir / "plan-import-successor.pdf"), format="A4")


def test_the_command_reports_problems_in_the_one_shape_of_every_importer(tmp_path, province, plan, merged, capsys):
    from django.core.management import CommandError, call_command

    path = tmp_path / "annex.xlsx"
    path.write_bytes(
        xlsx_bytes(
            rows(
                [1, "Số hóa hồ sơ", "Sở Thông tin và Truyền thông", None, "30/06/2026", "x"],
                [2, "Chính sách", "Cơ quan không có", None, "30/06/2026", "x"],
            )
        )
    )
    with pytest.raises(CommandError):
        call_command("import_plan", str(path), "--unit", province.code, "--year", "2026")
    err = capsys.readouterr().err
    assert "Cảnh báo, dòng 3: “Sở Thông tin và Truyền thông” đã hợp nhất vào “Sở Khoa học và Công nghệ”" in err
    assert "Lỗi, dòng 4: Không tìm thấy cơ quan “Cơ quan không có”." in err
