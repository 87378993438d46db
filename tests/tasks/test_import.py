import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from audit.models import AuditEvent, AuditSource
from tasks import importing
from tasks.models import Plan, PlanFigures, Task, TaskStatus

from .conftest import xlsx_bytes

HEADER = ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành", "Sản phẩm"]


@pytest.fixture
def agencies(province, make_agency, agency, home_affairs):
    return {
        "vp": make_agency(province, "Văn phòng Ủy ban nhân dân tỉnh", short_name="VP UBND tỉnh"),
        "vhttdl": make_agency(province, "Sở Văn hóa, Thể thao và Du lịch", aliases="Sở VHTTDL"),
        "ubnd": make_agency(
            province, "Ủy ban nhân dân tỉnh Gia Lai", short_name="UBND tỉnh", kind="provincial_committee"
        ),
        "stp": agency,
        "snv": home_affairs,
    }


def annex_rows():
    return [
        ["ỦY BAN NHÂN DÂN TỈNH GIA LAI"],
        ["PHỤ LỤC: NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
        [],
        HEADER,
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"],
        ["I", "CẢI CÁCH THỂ CHẾ", None, None, None, None],
        [
            1,
            "Rà soát văn bản quy phạm pháp luật",
            "Sở Tư pháp",
            "VP UBND tỉnh; các sở, ngành liên quan",
            "05/06/2026",
            "Báo cáo",
        ],
        [2, "Kiểm tra văn bản", "tu phap", "Sở Văn hóa, Thể thao và Du lịch, Sở Nội vụ", "Quý III/2026", "Kết luận"],
        ["II", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", None, None, None, None],
        [1, "Công bố thủ tục hành chính", "VP UBND tỉnh", None, "Cả năm", "Quyết định công bố"],
        [2, "Tham mưu UBND tỉnh ban hành kế hoạch", "UBND tỉnh", "SỞ NỘI VỤ", dt.datetime(2026, 3, 31), "Kế hoạch"],
        ["VII", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", None, None, None, None],
        [1, "Báo cáo CCHC định kỳ", "Nội vụ", None, "Thường xuyên", "Báo cáo"],
    ]


def preview_of(plan, rows):
    return importing.plan_import_preview(plan, rows)


def test_a_real_style_annex_previews_without_problems(plan, agencies):
    preview = preview_of(plan, annex_rows())
    assert preview.ok, [(r.line, r.errors) for r in preview.error_rows]
    tasks = {(r.area_code, r.number): r for r in preview.tasks}
    assert set(tasks) == {("I", "1"), ("I", "2"), ("II", "1"), ("II", "2"), ("VII", "1")}
    first = tasks[("I", "1")]
    assert first.deadline == dt.date(2026, 6, 5)  # 05/06/2026 is 5 June
    assert first.lead_agency == agencies["stp"]
    assert first.coordinating == [agencies["vp"]]
    assert first.coordinating_note == "các sở, ngành liên quan"
    second = tasks[("I", "2")]
    assert second.lead_agency == agencies["stp"]  # "tu phap": no diacritics, no "Sở"
    assert second.coordinating == [agencies["vhttdl"], agencies["snv"]]  # a comma inside a name
    assert second.deadline == dt.date(2026, 9, 30)
    assert tasks[("II", "1")].recurring and tasks[("II", "1")].deadline is None
    assert tasks[("II", "1")].lead_agency == agencies["vp"]  # "VP UBND tỉnh"
    assert tasks[("II", "2")].lead_agency == agencies["ubnd"]
    assert tasks[("II", "2")].deadline == dt.date(2026, 3, 31)
    assert tasks[("VII", "1")].lead_agency == agencies["snv"]
    assert preview.summary["create"] == 5 and not preview.new_areas


def test_every_row_problem_is_listed_with_suggestions(plan, agencies):
    rows = [
        HEADER,
        ["I", "CẢI CÁCH THỂ CHẾ"],
        [1, "Nhiệm vụ A", "Sở Tư phap tỉnh", None, "31/02/2026", "x"],
        [2, "Nhiệm vụ B", "Sở Nội vu", "Sở Ngoại vụ", "sớm nhất có thể", "x"],
        [2, "Nhiệm vụ C", "", None, "30/6/2026", "x"],
        [3, "Nhiệm vụ D", "Sở Tư Pháp", None, "", "x"],
    ]
    preview = preview_of(plan, rows)
    assert not preview.ok
    errors = {r.line: " ".join(r.errors) for r in preview.error_rows}
    assert "31/02/2026" in errors[3]
    assert "Sở Ngoại vụ" in errors[4] and "Sở Nội vụ" in errors[4]  # suggestion
    assert "sớm nhất có thể" in errors[4]
    assert "trùng" in errors[5] and "chủ trì" in errors[5]
    assert "Thiếu thời gian" in errors[6]


def test_an_unknown_lead_agency_gets_suggestions(plan, agencies):
    preview = preview_of(plan, [HEADER, ["I", "Cải cách thể chế"], [1, "A", "Sở Tư phát", None, "Cả năm", ""]])
    assert "Có phải: Sở Tư pháp" in preview.error_rows[0].errors[0]


def test_commit_is_all_or_nothing(plan, agencies):
    rows = annex_rows() + [[2, "Dòng lỗi", "Cơ quan không tồn tại", None, "30/6/2026", ""]]
    preview = preview_of(plan, rows)
    with pytest.raises(importing.ImportRefused):
        importing.plan_import_commit(preview)
    assert not Task.objects.exists()


def test_reimporting_the_same_file_changes_nothing(plan, agencies, province_admin):
    result = importing.plan_import_commit(preview_of(plan, annex_rows()), user=province_admin)
    assert result["created"] == 5
    events = AuditEvent.objects.filter(source=AuditSource.IMPORT).count()
    assert events == 5
    snapshot = list(Task.objects.order_by("pk").values())
    again = preview_of(plan, annex_rows())
    assert again.summary["unchanged"] == 5 and again.summary["create"] == 0
    result = importing.plan_import_commit(again, user=province_admin)
    assert result == {"created": 0, "updated": 0, "unchanged": 5, "new_areas": 0}
    assert list(Task.objects.order_by("pk").values()) == snapshot
    assert AuditEvent.objects.filter(source=AuditSource.IMPORT).count() == events


def test_a_corrected_file_updates_only_changed_rows_and_audits_them(plan, agencies, province_admin):
    importing.plan_import_commit(preview_of(plan, annex_rows()), user=province_admin)
    rows = annex_rows()
    rows[6][4] = "30/06/2026"
    preview = preview_of(plan, rows)
    assert preview.summary["update"] == 1
    importing.plan_import_commit(preview, user=province_admin)
    task = Task.objects.get(area__code="I", number="1")
    assert task.deadline == dt.date(2026, 6, 30) and task.version == 1
    event = AuditEvent.objects.for_object(task).filter(action="update").get()
    assert event.changes["deadline"] == ["2026-06-05", "2026-06-30"]
    assert event.actor == province_admin and event.source == AuditSource.IMPORT


def test_areas_can_come_from_a_column_and_a_status_column_is_read(plan, agencies, django_capture_on_commit_callbacks):
    rows = [
        ["STT", "Lĩnh vực", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Thời hạn", "Tình trạng"],
        [1, "Cải cách thể chế", "A", "Sở Tư pháp", "30/6/2026", "Hoàn thành"],
        [2, "Cải cách thể chế", "B", "Sở Tư pháp", "Tháng 9/2026", "Đang thực hiện"],
        [1, "Cải cách tài chính công", "C", "Sở Nội vụ", "Hằng năm", "Đang duy trì thực hiện"],
        [1, "Chuyển đổi số trong cơ quan đảng", "D", "Sở Nội vụ", "31/12/2026", "Chưa thực hiện"],
    ]
    preview = preview_of(plan, rows)
    assert preview.ok, [(r.line, r.errors) for r in preview.error_rows]
    assert preview.has_status_column
    assert [(c, n) for c, n in preview.new_areas] == [("IX", "Chuyển đổi số trong cơ quan đảng")]
    with django_capture_on_commit_callbacks(execute=True):
        importing.plan_import_commit(preview)
    statuses = dict(Task.objects.values_list("title", "status"))
    assert statuses == {"A": TaskStatus.COMPLETED, "B": TaskStatus.IN_PROGRESS, "C": TaskStatus.ONGOING,
                        "D": TaskStatus.NOT_STARTED}  # fmt: skip
    assert Task.objects.get(title="A").completion_date == dt.date(2026, 6, 30)
    assert Task.objects.get(title="B").deadline == dt.date(2026, 9, 30)
    assert Task.objects.get(title="C").area.code == "V"
    assert PlanFigures.objects.get(plan=plan).completed == 1


def test_csv_with_semicolons_and_vietnamese_dates_is_read(plan, agencies):
    text = "STT;Nhiệm vụ;Cơ quan chủ trì;Cơ quan phối hợp;Thời gian hoàn thành;Sản phẩm\n" \
           "I;CẢI CÁCH THỂ CHẾ;;;;\n1;Rà soát;Sở Tư pháp;;05/06/2026;Báo cáo\n"  # fmt: skip
    rows = importing.read_rows(text.encode("utf-8-sig"), "annex.csv")
    preview = preview_of(plan, rows)
    assert preview.ok and preview.tasks[0].deadline == dt.date(2026, 6, 5)


def test_zip_bombs_and_macro_files_are_refused_before_opening():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (5 * 1024 * 1024))
    with pytest.raises(importing.ImportFileError, match="tệp nén độc hại"):
        importing.read_rows(out.getvalue(), "bomb.xlsx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/vbaProject.bin", "macro")
    with pytest.raises(importing.ImportFileError, match="macro"):
        importing.read_rows(out.getvalue(), "macro.xlsx")
    with pytest.raises(importing.ImportFileError, match=".xlsx"):
        importing.read_rows(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old.xls")


def test_import_command_dry_run_writes_nothing_then_imports(tmp_path, province, agencies, capsys):
    path = tmp_path / "annex.xlsx"
    path.write_bytes(xlsx_bytes(annex_rows()))
    call_command("import_plan", str(path), unit="52", year=2026, dry_run=True)
    assert "5 new" in capsys.readouterr().out
    assert not Plan.objects.exists() and not Task.objects.exists()
    call_command("import_plan", str(path), unit="52", year=2026)
    plan = Plan.objects.get(unit=province, year=2026)
    assert plan.tasks.count() == 5 and plan.areas.count() == 8
    call_command("import_plan", str(path), unit="52", year=2026)
    assert "5 unchanged" in capsys.readouterr().out
    assert Task.objects.count() == 5


def test_import_command_reports_row_errors_and_fails(tmp_path, province, agencies, capsys):
    path = tmp_path / "annex.csv"
    path.write_text("STT,Nhiệm vụ,Cơ quan chủ trì,Thời gian hoàn thành\nI,Cải cách thể chế,,\n1,A,Sở Ma,30/6/2026\n")
    with pytest.raises(CommandError):
        call_command("import_plan", str(path), unit="52", year=2026)
    assert "dòng 3" in capsys.readouterr().err
    assert not Task.objects.exists()


def test_upload_page_previews_then_commits(client, province_admin, plan, agencies):
    client.force_login(province_admin)
    upload = SimpleUploadedFile("phu-luc.xlsx", xlsx_bytes(annex_rows()))
    response = client.post(reverse("tasks:plan_import", args=[plan.pk]), {"file": upload})
    assert response.status_code == 200
    assert response.context["preview"].summary["create"] == 5
    assert not Task.objects.exists()  # preview writes nothing
    token = response.context["token"]
    response = client.post(reverse("tasks:plan_import_confirm", args=[plan.pk]), {"token": token})
    assert response.status_code == 302
    assert plan.tasks.count() == 5
    # The token is single-use.
    assert client.post(reverse("tasks:plan_import_confirm", args=[plan.pk]), {"token": token}).status_code == 404


def test_upload_page_shows_row_problems_and_offers_no_import_button(client, province_admin, plan, agencies):
    client.force_login(province_admin)
    rows = annex_rows() + [[3, "Sai", "Sở Ma", None, "30/6/2026", ""]]
    response = client.post(
        reverse("tasks:plan_import", args=[plan.pk]), {"file": SimpleUploadedFile("a.xlsx", xlsx_bytes(rows))}
    )
    html = response.content.decode()
    assert "Sở Ma" in html and "plan_import_confirm" not in html and 'name="token"' not in html


def test_only_home_affairs_staff_can_import(client, agency_officer, outsider, plan):
    for user, status in ((agency_officer, 403), (outsider, 404)):
        client.force_login(user)
        assert client.get(reverse("tasks:plan_import", args=[plan.pk])).status_code == status


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05/06/2026", dt.date(2026, 6, 5)),
        ("5/6", dt.date(2026, 6, 5)),
        ("Trước 30/6/2026", dt.date(2026, 6, 30)),
        ("Quý II", dt.date(2026, 6, 30)),
        ("Quý 4/2026", dt.date(2026, 12, 31)),
        ("Tháng 10/2026", dt.date(2026, 10, 31)),
        ("Tháng 2", dt.date(2026, 2, 28)),
        ("6 tháng đầu năm", dt.date(2026, 6, 30)),
        ("Năm 2026", dt.date(2026, 12, 31)),
        ("2026-07-01", dt.date(2026, 7, 1)),
    ],
)
def test_deadlines_are_read_day_first(text, expected):
    assert importing.parse_deadline(text, 2026) == (expected, False, text)
