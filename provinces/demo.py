"""The demo province: Gia Lai (new, code 52, formed from Gia Lai and Bình Định).

Agency names follow the provincial departments after the March 2025 merger of
departments; people are fictional.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from cchc_portal.lib.text import fold

from .models import (
    AdministrativeUnit,
    Agency,
    AgencyKind,
    AgencySuccession,
    MemberRole,
    SteeringCommittee,
    SteeringCommitteeMember,
    UnitLevel,
)

DEMO_PROVINCE_CODE = "52"
DEPARTMENT_MERGER_DATE = dt.date(2025, 3, 1)

# (name, short name, aliases)
CURRENT_AGENCIES = [
    ("Ủy ban nhân dân tỉnh Gia Lai", "UBND tỉnh", ""),
    ("Văn phòng Ủy ban nhân dân tỉnh", "VP UBND tỉnh", "VP UBND tỉnh\nVăn phòng UBND tỉnh"),
    ("Sở Nội vụ", "SNV", ""),
    ("Sở Tư pháp", "STP", ""),
    ("Sở Tài chính", "STC", ""),
    ("Sở Xây dựng", "SXD", ""),
    ("Sở Nông nghiệp và Môi trường", "SNNMT", "Sở NN&MT"),
    ("Sở Khoa học và Công nghệ", "SKHCN", "Sở KH&CN"),
    ("Sở Công Thương", "SCT", ""),
    ("Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL", "Sở VHTTDL"),
    ("Sở Giáo dục và Đào tạo", "SGDĐT", "Sở GD&ĐT"),
    ("Sở Y tế", "SYT", ""),
    ("Sở Dân tộc và Tôn giáo", "SDTTG", ""),
    ("Thanh tra tỉnh", "TTr", ""),
    ("Ban Quản lý Khu kinh tế tỉnh", "BQL KKT", ""),
    ("Trung tâm Phục vụ hành chính công tỉnh", "TTPVHCC", "Trung tâm PVHCC"),
    ("Công an tỉnh", "CA tỉnh", ""),
]

# Departments that ended on 28/2/2025, and the ones that took over.
FORMER_AGENCIES = [
    ("Sở Kế hoạch và Đầu tư", ["Sở Tài chính"]),
    ("Sở Giao thông vận tải", ["Sở Xây dựng"]),
    ("Sở Tài nguyên và Môi trường", ["Sở Nông nghiệp và Môi trường"]),
    ("Sở Nông nghiệp và Phát triển nông thôn", ["Sở Nông nghiệp và Môi trường"]),
    ("Sở Thông tin và Truyền thông", ["Sở Khoa học và Công nghệ"]),
    ("Sở Lao động - Thương binh và Xã hội", ["Sở Nội vụ", "Sở Y tế"]),
]

COMMITTEE_MEMBERS = [
    ("Nguyễn Văn An", "Chủ tịch UBND tỉnh", "Ủy ban nhân dân tỉnh Gia Lai", MemberRole.CHAIR),
    ("Trần Thị Bình", "Phó Chủ tịch UBND tỉnh", "Ủy ban nhân dân tỉnh Gia Lai", MemberRole.STANDING_VICE_CHAIR),
    ("Lê Văn Cường", "Giám đốc Sở Nội vụ", "Sở Nội vụ", MemberRole.VICE_CHAIR),
    ("Phạm Thị Dung", "Chánh Văn phòng UBND tỉnh", "Văn phòng Ủy ban nhân dân tỉnh", MemberRole.MEMBER),
    ("Hoàng Văn Em", "Giám đốc Sở Tư pháp", "Sở Tư pháp", MemberRole.MEMBER),
    ("Võ Thị Phượng", "Giám đốc Sở Tài chính", "Sở Tài chính", MemberRole.MEMBER),
    ("Đặng Văn Giang", "Giám đốc Sở Khoa học và Công nghệ", "Sở Khoa học và Công nghệ", MemberRole.MEMBER),
    (
        "Bùi Thị Hạnh",
        "Giám đốc Trung tâm Phục vụ hành chính công tỉnh",
        "Trung tâm Phục vụ hành chính công tỉnh",
        MemberRole.MEMBER,
    ),
    ("Đỗ Văn Khoa", "Phó Giám đốc Sở Nội vụ", "Sở Nội vụ", MemberRole.WORKING_GROUP_LEADER),
    ("Ngô Thị Lan", "Trưởng phòng CCHC, Sở Nội vụ", "Sở Nội vụ", MemberRole.WORKING_GROUP_MEMBER),
    (
        "Dương Văn Minh",
        "Chuyên viên Văn phòng UBND tỉnh",
        "Văn phòng Ủy ban nhân dân tỉnh",
        MemberRole.WORKING_GROUP_MEMBER,
    ),
]


@transaction.atomic
def load_demo_province() -> AdministrativeUnit:
    province = AdministrativeUnit.objects.provinces().current().get(code=DEMO_PROVINCE_CODE)
    agencies: dict[str, Agency] = {}
    for name, short, aliases in CURRENT_AGENCIES:
        kind = AgencyKind.PROVINCIAL_COMMITTEE if name.startswith("Ủy ban nhân dân tỉnh") else AgencyKind.DEPARTMENT
        agencies[name], _ = Agency.objects.get_or_create(
            province=province,
            name=name,
            defaults={"short_name": short, "aliases": aliases, "kind": kind},
        )
    for name in ("Sở Tài chính", "Sở Xây dựng", "Sở Nông nghiệp và Môi trường", "Sở Khoa học và Công nghệ"):
        Agency.objects.filter(pk=agencies[name].pk, valid_from__isnull=True).update(valid_from=DEPARTMENT_MERGER_DATE)
    for name, successors in FORMER_AGENCIES:
        former, _ = Agency.objects.get_or_create(
            province=province,
            name=name,
            valid_to=DEPARTMENT_MERGER_DATE - dt.timedelta(days=1),
            defaults={"kind": AgencyKind.DEPARTMENT},
        )
        for successor in successors:
            AgencySuccession.objects.get_or_create(
                predecessor=former, successor=agencies[successor], defaults={"effective_date": DEPARTMENT_MERGER_DATE}
            )
    communes = AdministrativeUnit.objects.current().filter(province=province, level=UnitLevel.COMMUNE)
    existing = set(Agency.objects.filter(province=province, commune__isnull=False).values_list("commune_id", flat=True))
    new_committees = []
    for commune in communes:
        if commune.pk in existing:
            continue
        agency = Agency(
            province=province,
            commune=commune,
            kind=AgencyKind.COMMUNE_COMMITTEE,
            name=f"Ủy ban nhân dân {commune.name.replace('Xã', 'xã').replace('Phường', 'phường').replace('Đặc khu', 'đặc khu')}",
            short_name=f"UBND {commune.name}",
            valid_from=dt.date(2025, 7, 1),
        )
        agency.name_folded = fold(agency.name)
        new_committees.append(agency)
    Agency.objects.bulk_create(new_committees, batch_size=500)

    committee, created = SteeringCommittee.objects.get_or_create(
        province=province,
        defaults={
            "name": "Ban Chỉ đạo cải cách hành chính tỉnh Gia Lai",
            "establishing_decision_number": "Quyết định số 156/QĐ-UBND",
            "establishing_decision_date": dt.date(2025, 7, 15),
            "establishing_decision_signer": "Chủ tịch UBND tỉnh Nguyễn Văn An",
            "regulation_decision_number": "Quyết định số 01/QĐ-BCĐCCHC",
            "regulation_decision_date": dt.date(2025, 9, 18),
        },
    )
    if created:
        SteeringCommitteeMember.objects.bulk_create(
            SteeringCommitteeMember(
                committee=committee,
                person_name=person,
                position=position,
                agency=agencies[agency],
                role=role,
                term_start=dt.date(2025, 7, 15),
                decision_number="Quyết định số 156/QĐ-UBND",
                order=index * 10,
            )
            for index, (person, position, agency, role) in enumerate(COMMITTEE_MEMBERS, start=1)
        )
    return province
