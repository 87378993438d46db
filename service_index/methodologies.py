"""The methodologies shipped with the portal: the five-group structure of Decision 766/QĐ-TTg
and the six-group one the national portal now publishes.

Points per indicator inside a group, and thresholds marked unconfirmed, are this
portal's reading where the published guidance is not known; they are data, so a
confirmed figure is an edit in the admin, not a release. Created by migration 0002 and,
after a database flush (tests), by the app's post_migrate handler.
"""

import datetime as dt
from decimal import Decimal

DECISION = "Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ"

# (code, name, portal header, max, [(code, name, formula, max, threshold, confirmed)])
SIX_GROUPS = [
    (
        "cong_khai",
        "Công khai, minh bạch",
        "Công khai, minh bạch",
        18,
        [
            ("cong_khai", "Công khai, minh bạch (Cổng DVC quốc gia)", "imported", 18, None, False),
        ],
    ),
    (
        "tien_do",
        "Tiến độ, kết quả giải quyết",
        "Tiến độ giải quyết",
        20,
        [
            ("dung_han", "Tỷ lệ hồ sơ giải quyết đúng hạn", "on_time", 20, None, True),
        ],
    ),
    (
        "dvc_truc_tuyen",
        "Dịch vụ công trực tuyến",
        "Dịch vụ công trực tuyến",
        12,
        [
            ("ho_so_truc_tuyen", "Tỷ lệ hồ sơ tiếp nhận trực tuyến", "online_share", 12, 50, True),
        ],
    ),
    (
        "thanh_toan",
        "Thanh toán trực tuyến",
        "Thanh toán trực tuyến",
        10,
        [
            ("thanh_toan_truc_tuyen", "Tỷ lệ hồ sơ có phí thanh toán trực tuyến", "online_payment", 10, None, False),
        ],
    ),
    (
        "hai_long",
        "Mức độ hài lòng",
        "Mức độ hài lòng",
        18,
        [
            ("hai_long", "Mức độ hài lòng về giải quyết TTHC", "satisfaction", 18, 90, True),
        ],
    ),
    (
        "so_hoa",
        "Số hóa hồ sơ",
        "Số hóa hồ sơ",
        22,
        [
            ("ket_qua_dien_tu", "Tỷ lệ cấp kết quả điện tử", "e_results", 6, None, False),
            ("so_hoa_ho_so", "Tỷ lệ số hóa hồ sơ", "digitised", 8, 80, True),
            ("tai_su_dung", "Tỷ lệ tái sử dụng dữ liệu số hóa", "reuse", 8, 80, True),
        ],
    ),
]
FIVE_GROUPS = [
    SIX_GROUPS[0],
    SIX_GROUPS[1],
    ("dvc_truc_tuyen", "Cung cấp dịch vụ trực tuyến", "Dịch vụ công trực tuyến", 22, [
        ("ho_so_truc_tuyen", "Tỷ lệ hồ sơ tiếp nhận trực tuyến", "online_share", 11, 50, True),
        ("thanh_toan_truc_tuyen", "Tỷ lệ hồ sơ có phí thanh toán trực tuyến", "online_payment", 11, None, False),
    ]),
    SIX_GROUPS[5],
    SIX_GROUPS[4],
]  # fmt: skip

METHODOLOGIES = [
    (
        "766-5-nhom",
        "Bộ chỉ số 766 — 5 nhóm (18/20/22/22/18)",
        DECISION,
        dt.date(2022, 6, 23),
        "Cấu trúc 5 nhóm theo các bản mô tả trước đây của Quyết định.",
        FIVE_GROUPS,
    ),
    (
        "766-6-nhom",
        "Bộ chỉ số 766 — 6 nhóm (18/20/12/10/18/22)",
        f"{DECISION}; cấu trúc 6 nhóm chỉ số công bố trên Cổng Dịch vụ công quốc gia (văn bản hướng dẫn: cần xác nhận)",
        dt.date(2025, 1, 1),
        "Điểm nhóm Tiến độ tuyến tính theo tỷ lệ đúng hạn (97,5% → 19,5/20). "
        "Các ngưỡng và cách chia điểm chưa có văn bản được đánh dấu “cần xác nhận”.",
        SIX_GROUPS,
    ),
]


def seed_shipped(Methodology, IndexGroup, Indicator) -> None:  # noqa: N803 - model classes
    """Create the shipped methodologies that are missing (by code); never changes an edited one."""
    for code, name, source, valid_from, notes, groups in METHODOLOGIES:
        if Methodology.objects.filter(code=code).exists():
            continue
        methodology = Methodology.objects.create(
            code=code, name=name, source=source, valid_from=valid_from, notes=notes
        )
        for order, (g_code, g_name, header, g_max, indicators) in enumerate(groups):
            group = IndexGroup.objects.create(
                methodology=methodology, code=g_code, name=g_name, portal_header=header,
                max_points=Decimal(g_max), order=order,
            )  # fmt: skip
            for i_order, (i_code, i_name, formula, i_max, threshold, confirmed) in enumerate(indicators):
                Indicator.objects.create(
                    group=group, code=i_code, name=i_name, formula=formula, max_points=Decimal(i_max),
                    threshold=None if threshold is None else Decimal(threshold),
                    threshold_confirmed=confirmed, order=i_order,
                )  # fmt: skip
