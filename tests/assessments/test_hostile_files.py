"""The project's hostile-file corpus against the criteria tree and survey imports: a clear Vietnamese
message and nothing written (the toolkit does the checking; this proves both imports go through it)."""

import re

import pytest
from django.utils import translation

from assessments.survey import plan_survey_import
from assessments.trees import plan_tree_import
from tests.imports.hostile import CORPUS
from tests.imports.test_hostile_files import EXPECTED

TREE_HEADER = ["STT", "Tiêu chí", "Điểm tối đa", "Cách tính điểm", "Tài liệu kiểm chứng"]
SURVEY_HEADER = ["Đơn vị", "Mã tiêu chí", "Điểm"]
# Classes whose file is refused as a whole, the same words for every importer.
REFUSED = [k for k in CORPUS if k not in ("1M empty rows, lying dimension .xlsx", "formula cells .xlsx")]


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.CCHC = {**settings.CCHC, "ASSESSMENT_IMPORT_MAX_BYTES": 2**20}


@pytest.mark.parametrize("kind", REFUSED)
def test_a_hostile_annex_is_refused_and_no_criterion_is_written(methodology, kind):
    build, _name = CORPUS[kind]
    with translation.override("vi"):
        preview = plan_tree_import(build(TREE_HEADER))
    assert not preview.ok
    text = " ".join(preview.problems)
    assert re.search(EXPECTED[kind], text), text
    assert not methodology.criteria.exists()


@pytest.mark.parametrize("kind", REFUSED)
def test_a_hostile_survey_file_is_refused(round_, kind):
    build, _name = CORPUS[kind]
    with translation.override("vi"):
        preview = plan_survey_import(round_, build(SURVEY_HEADER))
    assert not preview.ok
    assert re.search(EXPECTED[kind], " ".join(preview.problems))


@pytest.mark.parametrize("kind", ["1M empty rows, lying dimension .xlsx", "formula cells .xlsx"])
def test_rows_without_a_usable_criterion_are_refused(methodology, kind):
    build, _name = CORPUS[kind]
    with translation.override("vi"):
        preview = plan_tree_import(build(TREE_HEADER))
    assert not preview.ok, preview.nodes
