"""A province's own index of its departments: imported by the province's administrator, matched by agency names."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from indices.importing import import_scores
from indices.models import Component, Edition, Index, Ranking
from provinces.models import Agency

from .conftest import to_csv


def make_own_index(province):
    index = Index.objects.create(
        code="P52_DEPARTMENTS", name_vi="Chỉ số CCHC các sở", name_en="Departments", owner_province=province
    )
    edition = Edition.objects.create(
        index=index,
        year=2025,
        subject_level="agency",
        maximum=100,
        group_thresholds=[{"code": "Tốt", "min": 80}, {"code": "Khá", "min": 0}],
    )
    Component.objects.create(edition=edition, code="L1", name_vi="Công tác chỉ đạo, điều hành", max_score=60)
    Component.objects.create(edition=edition, code="L2", name_vi="Cải cách thể chế", max_score=40)
    return edition


ROWS = [
    ["Cơ quan", "L1", "L2"],
    ["Sở Tư pháp", "50", "35,5"],
    ["SNV", "48", "30"],  # the short name
    ["Sở NN&MT", "40", "30"],  # an alias
]


def test_agencies_are_matched_by_name_short_name_or_alias_and_ranked_with_groups(gia_lai):
    edition = make_own_index(gia_lai)
    Agency.objects.create(province=gia_lai, name="Sở Tư pháp", short_name="STP")
    Agency.objects.create(province=gia_lai, name="Sở Nội vụ", short_name="SNV")
    Agency.objects.create(province=gia_lai, name="Sở Nông nghiệp và Môi trường", aliases="Sở NN&MT")
    with TestCase.captureOnCommitCallbacks(execute=True):
        plan = import_scores(edition, to_csv(ROWS, ","), "so.csv")
    assert plan.ok, [str(p) for p in plan.problems]
    ranking = list(Ranking.objects.filter(edition=edition).values_list("agency__short_name", "rank", "score", "group"))
    assert [(s, r, str(v), g) for s, r, v, g in ranking] == [
        ("STP", 1, "85.5000", "Tốt"),
        ("SNV", 2, "78.0000", "Khá"),
        ("", 3, "70.0000", "Khá"),
    ]


def test_a_province_admin_imports_the_provinces_own_index_in_the_admin(client, gia_lai, gia_lai_admin):
    edition = make_own_index(gia_lai)
    Agency.objects.create(province=gia_lai, name="Sở Tư pháp", short_name="STP")
    client.force_login(gia_lai_admin)
    url = reverse("admin:indices_score_import")
    form = client.get(url).context["form"]
    assert list(form.fields["edition"].queryset) == [edition]  # not the national indices
    preview = client.post(
        url,
        {
            "edition": edition.pk,
            "format": 1,
            "resource": 0,
            "import_file": SimpleUploadedFile("a.csv", b"Don vi,L1,L2\nSTP,50,30\n"),
        },
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("admin:indices_score_process_import"), preview.context["confirm_form"].initial)
    assert Ranking.objects.get(edition=edition).score == 80
