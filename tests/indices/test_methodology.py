from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from indices.models import Component, Edition, Score, edition_copy_forward
from indices.reference import load_methodologies

from .conftest import edition_of
from .test_rankings import unit


def test_shipped_methodologies_follow_the_published_structures(all_methodologies):
    papi_2018, papi_2021 = edition_of("PAPI", 2018), edition_of("PAPI", 2021)
    assert papi_2018.maximum == 80
    assert papi_2018.components.filter(parent__isnull=True).count() == 8
    assert papi_2018.components.filter(parent__isnull=False).count() == 28
    assert not papi_2021.components.filter(name_en="Construction permits").exists()
    assert not papi_2018.components.filter(name_en="E-responsiveness of provincial authorities").exists()
    assert edition_of("PAPI", 2019).components.filter(name_en="E-responsiveness of provincial authorities").exists()
    assert edition_of("SIPAS", 2021).components.count() == 5
    assert edition_of("SIPAS", 2022).components.count() == 3
    par = edition_of("PAR_INDEX", 2022)
    assert par.methodology_ref == "Quyết định 876/QĐ-BNV (2022)"
    assert set(par.components.filter(parent__isnull=True).values_list("code", flat=True)) == {"TD", "SIPAS", "LD", "KT"}
    assert par.components.filter(max_is_provisional=True).exists()


def test_loading_methodologies_twice_changes_nothing_and_keeps_edited_maxima(all_methodologies):
    Component.objects.filter(edition=edition_of("PAR_INDEX", 2022), code="TD").update(max_score=Decimal("62.5"))
    counts = load_methodologies()
    assert counts["editions_created"] == 0 and counts["components_created"] == 0
    assert Component.objects.get(edition=edition_of("PAR_INDEX", 2022), code="TD").max_score == Decimal("62.5")


def test_a_methodology_is_copied_forward_with_its_tree(methodologies):
    source = edition_of("PAPI", 2025)
    copy = edition_copy_forward(source)
    assert copy.year == 2026
    assert copy.components.count() == source.components.count()
    d5 = copy.components.get(code="D5")
    assert sorted(d5.children.values_list("code", flat=True)) == ["D5.1", "D5.3", "D5.4"]
    with pytest.raises(ValidationError):
        edition_copy_forward(source)


def test_the_copy_command_copies_to_a_chosen_year(methodologies):
    call_command("copy_methodology", "--index", "PAPI", "--from-year", "2025", "--to-year", "2027", stdout=None)
    assert Edition.objects.filter(index__code="PAPI", year=2027).exists()


def test_a_score_over_its_components_maximum_fails_full_clean(methodologies):
    edition = edition_of("PAPI", 2023)
    score = Score(edition=edition, unit=unit("01", 2023), component=edition.components.get(code="D1"), value=11)
    with pytest.raises(ValidationError) as raised:
        score.full_clean()
    assert list(raised.value.message_dict) == ["value"]


def test_the_database_refuses_negative_scores_and_a_second_total(methodologies):
    edition = edition_of("PAPI", 2023)
    ha_noi = unit("01", 2023)
    Score.objects.create(edition=edition, unit=ha_noi, value=40)
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(edition=edition, unit=ha_noi, value=41)  # a second total (NULL component)
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(edition=edition, unit=unit("02", 2023), value=-1)
