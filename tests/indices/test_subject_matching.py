import unicodedata

import pytest

from indices.importing import SubjectMatcher

from .conftest import edition_of


@pytest.fixture
def matcher_2023(methodologies):
    return SubjectMatcher(edition_of("PAPI", 2023))


SPELLINGS = [
    ("Hà Giang", "02"),
    ("Ha Giang", "02"),
    ("HA GIANG", "02"),
    ("Tỉnh Hà Giang", "02"),
    (unicodedata.normalize("NFD", "Tỉnh Hà Giang"), "02"),
    ("Ba Ria - Vung Tau", "77"),
    ("Bà Rịa – Vũng Tàu", "77"),
    ("HCMC", "79"),
    ("Ho Chi Minh City", "79"),
    ("TP. Hồ Chí Minh", "79"),
    ("Thành phố Hồ Chí Minh", "79"),
    ("Thua Thien Hue", "46"),
    ("Thừa Thiên Huế", "46"),
    ("Hoà Bình", "17"),
    ("Hòa Bình", "17"),
    ("Dak Lak", "66"),
    ("1", "01"),
    ("01", "01"),
    (1.0, "01"),
    ("Bình Định", "52"),
]


def test_a_pre_2025_edition_matches_province_names_as_typed_in_spreadsheets(matcher_2023):
    for typed, code in SPELLINGS:
        subject, problem = matcher_2023.match(typed)
        assert problem == "", typed
        assert (subject.code, subject.valid_to is not None) == (code, True), typed  # one of the 63 old provinces


def test_a_2025_edition_matches_the_34_new_provinces_only(methodologies):
    matcher = SubjectMatcher(edition_of("PAPI", 2025))
    gia_lai, _ = matcher.match("Gia Lai")
    assert gia_lai.code == "52" and gia_lai.valid_to is None
    subject, problem = matcher.match("Bình Định")  # merged into Gia Lai on 1/7/2025
    assert subject is None
    assert "đã hợp nhất vào Tỉnh Gia Lai" in problem and "01/07/2025" in problem


def test_an_unknown_name_suggests_the_closest_provinces(matcher_2023):
    subject, problem = matcher_2023.match("Quang Nam Da Nang")
    assert subject is None
    assert "Có phải" in problem and "Quảng Nam" in problem
