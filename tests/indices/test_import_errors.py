"""Every class of import problem, from the small corpus of bad files in tests/indices/files/."""

from decimal import Decimal

import pytest

from indices.importing import import_scores
from indices.models import Score

from .conftest import FILES, edition_of


def run(name, year=2023):
    path = FILES / name
    return import_scores(edition_of("PAPI", year), path.read_bytes(), path.name)


@pytest.mark.parametrize(
    "name, row, column, fragment",
    [
        ("unknown_subject.csv", 3, "Tỉnh/Thành phố", "Quảng Ninh"),  # the closest suggestion
        ("unknown_code.csv", 2, "Mã", "Không có đơn vị mã 99"),
        ("ambiguous_number.csv", 2, "Tham gia của người dân ở cấp cơ sở", "không rõ ràng"),
        ("over_max.csv", 2, "Tham gia của người dân ở cấp cơ sở", "vượt điểm tối đa 10"),
        ("negative.csv", 2, "Tham gia của người dân ở cấp cơ sở", "là số âm"),
        ("not_a_number.csv", 2, "Tham gia của người dân ở cấp cơ sở", "không phải số"),
        ("duplicate_subject.csv", 3, "Tỉnh/Thành phố", "đã có ở dòng 2"),
        ("row_without_subject.csv", 3, "Tỉnh/Thành phố", "thiếu tên đơn vị"),
        ("duplicate_column.csv", 1, "D1", "trùng với cột"),
        ("missing_subject_column.csv", 1, "", "Không thấy cột tên đơn vị"),
    ],
)
def test_a_bad_file_is_reported_by_row_and_column_and_nothing_is_written(methodologies, name, row, column, fragment):
    plan = run(name)
    assert not plan.ok
    assert any(p.row == row and p.column_name == column and fragment in p.message for p in plan.errors), [
        str(p) for p in plan.problems
    ]
    assert not plan.written
    assert not Score.objects.exists()


@pytest.mark.parametrize(
    "name, fragment",
    [
        ("report.pdf", "tài liệu PDF"),
        ("old_excel.xls", "Excel 97–2003 (.xls)"),
        ("damaged.xlsx", "bị hỏng"),
        ("empty.csv", "Tệp rỗng"),
    ],
)
def test_a_wrong_file_type_is_an_error(methodologies, name, fragment):
    plan = run(name)
    assert [fragment in p.message for p in plan.errors] == [True]
    assert not Score.objects.exists()


def test_an_unknown_subject_error_names_the_closest_units(methodologies):
    (error,) = run("unknown_subject.csv").errors
    assert "Quang Ninhh" in error.message
    assert "Tỉnh Quảng Ninh" in error.message


def test_a_parent_that_differs_from_its_components_is_a_warning_naming_both_figures(methodologies):
    plan = run("parent_mismatch.csv")
    assert plan.ok and plan.written
    (warning,) = plan.warnings
    assert warning.row == 2 and warning.column_name == "Tổng điểm"
    assert "44,6" in warning.message and "43,6" in warning.message
    assert Score.objects.get(unit__code="01", component__isnull=True).value == Decimal("44.6")


def test_an_error_in_one_row_writes_nothing_from_the_good_rows(methodologies):
    plan = run("unknown_subject.csv")
    assert len(plan.rows) == 1  # Hà Nội was fine
    assert not Score.objects.exists()


def test_rounding_in_published_figures_is_not_a_mismatch(methodologies):
    from .conftest import to_csv

    header = ["Tỉnh", "D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8", "Tổng"]
    rows = [header, ["Hà Nội", "5,1234", "5,2", "4,3", "6,4", "7,5", "7,6", "3,7", "3,8", "43,62"]]
    plan = import_scores(edition_of("PAPI", 2023), to_csv(rows), "papi.csv")
    assert plan.ok and not plan.warnings


def test_an_incomplete_row_without_a_total_is_kept_but_warned_and_an_unknown_column_is_ignored(methodologies):
    from .conftest import to_csv

    header = ["Tỉnh", "D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8", "Ghi chú", "Hạng mục lạ"]
    rows = [header, ["Hà Nội", "5,1", "5,2", "4,3", "6,4", "7,5", "7,6", "3,7", "", "", "x"]]
    plan = import_scores(edition_of("PAPI", 2023), to_csv(rows), "papi.csv")
    assert plan.ok
    assert sorted(p.column_name for p in plan.warnings) == ["Hạng mục lạ", "Tổng"]
    assert not Score.objects.filter(component__isnull=True).exists()
    assert Score.objects.filter(component__code="D1").exists()
