"""The first report template: the outline and annex of the Ministry's periodic report (581/BNV-CCHC).

Loaded by the data migration `0002_first_template` as version 1 of the national
template; later versions are made in the administration, never here.
"""

NAME = "Báo cáo công tác cải cách hành chính định kỳ"
BASIS = "Hướng dẫn 581/BNV-CCHC"

SECTIONS = [
    ("I", "Công tác chỉ đạo, điều hành", "Kế hoạch, văn bản chỉ đạo; kiểm tra; tuyên truyền; khen thưởng, xử lý."),
    (
        "II",
        "Kết quả thực hiện các nội dung cải cách hành chính",
        "Theo 6 nội dung: cải cách thể chế; cải cách TTHC; cải cách tổ chức bộ máy; cải cách chế độ công vụ; "
        "cải cách tài chính công; xây dựng, phát triển Chính phủ điện tử, Chính phủ số.",
    ),
    ("III", "Tồn tại, hạn chế và nguyên nhân", ""),
    ("IV", "Phương hướng, nhiệm vụ kỳ tới", ""),
    ("V", "Đề xuất, kiến nghị", ""),
]

# code, group, label, unit, type, combine, auto source, max, at_most, rate (numerator, denominator)
FIGURES = [
    ("NV1", "Nhiệm vụ CCHC", "Tổng số nhiệm vụ trong kế hoạch CCHC", "nhiệm vụ", "integer", "sum", "tasks_total", None, "", ("", "")),
    ("NV2", "Nhiệm vụ CCHC", "Số nhiệm vụ đã hoàn thành", "nhiệm vụ", "integer", "sum", "tasks_completed", None, "NV1", ("", "")),
    ("NV3", "Nhiệm vụ CCHC", "Số nhiệm vụ quá hạn", "nhiệm vụ", "integer", "sum", "tasks_overdue", None, "NV1", ("", "")),
    ("NV4", "Nhiệm vụ CCHC", "Tỷ lệ nhiệm vụ hoàn thành", "%", "percent", "ratio", "", None, "", ("NV2", "NV1")),
    ("TC1", "Cải cách thể chế", "Số văn bản quy phạm pháp luật được ban hành", "văn bản", "integer", "sum", "", None, "", ("", "")),
    ("TT1", "Cải cách thủ tục hành chính", "Số TTHC được công bố", "thủ tục", "integer", "sum", "", None, "", ("", "")),
    ("TT2", "Cải cách thủ tục hành chính", "Số TTHC được đơn giản hóa", "thủ tục", "integer", "sum", "", None, "", ("", "")),
    ("TT3", "Cải cách thủ tục hành chính", "Số TTHC bị bãi bỏ", "thủ tục", "integer", "sum", "", None, "", ("", "")),
    ("HS1", "Giải quyết hồ sơ TTHC", "Số hồ sơ tiếp nhận", "hồ sơ", "integer", "sum", "dossiers_received", None, "", ("", "")),
    ("HS2", "Giải quyết hồ sơ TTHC", "Số hồ sơ đã giải quyết", "hồ sơ", "integer", "sum", "dossiers_finished", None, "", ("", "")),
    ("HS3", "Giải quyết hồ sơ TTHC", "Số hồ sơ giải quyết trước và đúng hạn", "hồ sơ", "integer", "sum", "dossiers_on_time", None, "HS2", ("", "")),
    ("HS4", "Giải quyết hồ sơ TTHC", "Số hồ sơ giải quyết trễ hạn", "hồ sơ", "integer", "sum", "dossiers_late", None, "HS2", ("", "")),
    ("HS5", "Giải quyết hồ sơ TTHC", "Số hồ sơ tiếp nhận trực tuyến", "hồ sơ", "integer", "sum", "dossiers_online", None, "HS1", ("", "")),
    ("HS6", "Giải quyết hồ sơ TTHC", "Tỷ lệ hồ sơ giải quyết trước và đúng hạn", "%", "percent", "ratio", "", None, "", ("HS3", "HS2")),
    ("KT1", "Kiểm tra CCHC", "Số cuộc kiểm tra CCHC", "cuộc", "integer", "sum", "", None, "", ("", "")),
    ("KT2", "Kiểm tra CCHC", "Số cơ quan, đơn vị được kiểm tra", "cơ quan, đơn vị", "integer", "sum", "", None, "", ("", "")),
    ("VB1", "Chính phủ điện tử, Chính phủ số", "Số văn bản điện tử gửi đi", "văn bản", "integer", "sum", "", None, "", ("", "")),
    ("VB2", "Chính phủ điện tử, Chính phủ số", "Số văn bản điện tử nhận về", "văn bản", "integer", "sum", "", None, "", ("", "")),
    ("MT1", "Chính phủ điện tử, Chính phủ số", "Tỷ lệ cán bộ, công chức được trang bị máy tính", "%", "percent", "mean", "", 100, "", ("", "")),
]  # fmt: skip


def load_first_template(ReportTemplate, ReportSection, ReportFigure):
    """Create version 1 of the national template if it is missing (model classes passed in for migrations)."""
    if ReportTemplate.objects.filter(province__isnull=True, version=1).exists():
        return None
    template = ReportTemplate.objects.create(name=NAME, basis=BASIS, version=1)
    ReportSection.objects.bulk_create(
        ReportSection(template=template, code=code, title=title, guidance=guidance, order=i * 10)
        for i, (code, title, guidance) in enumerate(SECTIONS, start=1)
    )
    ReportFigure.objects.bulk_create(
        ReportFigure(
            template=template,
            code=code,
            group=group,
            label=label,
            unit=unit,
            value_type=vtype,
            combine=combine,
            auto_source=auto,
            max_value=maximum,
            at_most=at_most,
            rate_numerator=num,
            rate_denominator=den,
            order=i * 10,
        )  # fmt: skip
        for i, (code, group, label, unit, vtype, combine, auto, maximum, at_most, (num, den)) in enumerate(
            FIGURES, start=1
        )
    )
    return template
