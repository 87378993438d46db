"""Criteria trees: the maxima must add up (named node, both figures), import with preview, copy forward, sample."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from assessments.models import Criterion, Methodology, NotApplicable
from assessments.trees import methodology_copy_forward, plan_tree_import, sample_methodology, tree_import_commit

from .conftest import xlsx_bytes

HEADER = ["STT", "Tiêu chí", "Điểm tối đa", "Cách tính điểm", "Tài liệu kiểm chứng"]


def test_an_annex_is_read_into_a_tree_from_its_numbering(methodology):
    content = xlsx_bytes([
        ["PHỤ LỤC"], HEADER,
        ["1", "Chỉ đạo điều hành", 6, "", ""],
        ["1.1", "Kế hoạch", "4", "Đủ: 4", "Quyết định"],
        ["1.1.1", "Ban hành đúng hạn", "2,5", "", ""],
        ["1.1.2", "Hoàn thành", "1.5", "", ""],
        ["1.2", "Báo cáo", 2, "", ""],
        ["T1", "Sáng kiến", 2, "", ""],
    ])  # fmt: skip
    preview = plan_tree_import(content, "phu-luc.xlsx")
    assert preview.problems == []
    assert tree_import_commit(methodology, preview) == 6
    sub = Criterion.objects.get(methodology=methodology, code="1.1.1")
    assert sub.kind == "sub_criterion" and sub.parent.code == "1.1" and sub.max_points == Decimal("2.5")
    assert Criterion.objects.get(methodology=methodology, code="T1").kind == "bonus"


def test_a_tree_that_does_not_add_up_is_refused_naming_the_node_and_both_figures(methodology):
    content = xlsx_bytes([HEADER, ["1", "Chỉ đạo điều hành", 6], ["1.1", "Kế hoạch", 4], ["1.2", "Báo cáo", 3]])
    with translation.override("vi"):
        preview = plan_tree_import(content, "phu-luc.xlsx")
        assert any("1 Chỉ đạo điều hành" in p and "6" in p and "7" in p for p in preview.problems), preview.problems
        with pytest.raises(ValidationError):
            tree_import_commit(methodology, preview)
    assert not methodology.criteria.exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused_in_vietnamese(methodology):
    with translation.override("vi"):
        preview = plan_tree_import(b"%PDF-1.4 not a sheet", "phu-luc.xlsx")
    assert not preview.ok and "PDF" in preview.problems[0]
    assert not methodology.criteria.exists()


def test_bad_rows_are_listed_with_their_row_numbers_and_nothing_is_saved(methodology):
    content = xlsx_bytes([HEADER, ["1", "A", "mười"], ["x.y", "B", 2], ["2.1", "C", 1]])
    with translation.override("vi"):
        preview = plan_tree_import(content, "phu-luc.xlsx")
    assert len(preview.problems) == 3
    assert [p.split(":")[0] for p in preview.problems] == [
        "Lỗi, dòng 2, cột “Điểm tối đa”",
        "Lỗi, dòng 3, cột “STT”",
        "Lỗi, dòng 4, cột “STT”",
    ]


def test_copy_forward_keeps_the_tree_and_the_exclusions(methodology, criteria, finance):
    NotApplicable.objects.create(criterion=criteria["2"], agency=finance)
    copy = methodology_copy_forward(methodology)
    assert copy.year == 2027
    assert copy.criteria.count() == methodology.criteria.count()
    assert copy.criteria.get(code="1.2").parent.code == "1"
    assert NotApplicable.objects.filter(criterion__methodology=copy, agency=finance).exists()
    assert copy.tree_problems() == []


def test_the_sample_tree_adds_up_to_100_points_and_says_it_is_a_sample(province):
    methodology = sample_methodology(province, 2026)
    assert methodology.is_sample
    assert methodology.maximum == Decimal(100)
    assert methodology.tree_problems() == []
    assert Methodology.objects.count() == 1
