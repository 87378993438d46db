"""Demo content: the demo province's 2026 reform plan (40 tasks) and its 2025 plan.

Task wording follows real provincial plans; agencies are the demo province's
(provinces/demo.py). Idempotent: tasks are keyed by (plan, area, number) and
progress notes are written only for tasks created in this run.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from provinces.models import Agency

from .figures import plan_figures_compute
from .models import Plan, ProgressUpdate, Task, TaskCriterion, TaskStatus

D = dt.date
NS, IP, OG, DONE = TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.ONGOING, TaskStatus.COMPLETED
YEARLY = "Cả năm"

# (area, title, lead, coordinating, deadline (date or YEARLY), output, status, completion date, criterion)
TASKS_2026 = [
    ("I", "Xây dựng, ban hành Kế hoạch kiểm tra, rà soát, hệ thống hóa văn bản quy phạm pháp luật năm 2026",
     "Sở Tư pháp", ["Văn phòng Ủy ban nhân dân tỉnh"], D(2026, 2, 28), "Kế hoạch của UBND tỉnh", DONE, D(2026, 2, 20), "1.1"),
    ("I", "Rà soát, kiến nghị sửa đổi văn bản quy phạm pháp luật sau sắp xếp đơn vị hành chính",
     "Sở Tư pháp", ["Sở Nội vụ"], D(2026, 6, 30), "Báo cáo kết quả rà soát", DONE, D(2026, 7, 10), "1.2"),
    ("I", "Tổ chức thi hành pháp luật về xử lý vi phạm hành chính trên địa bàn tỉnh",
     "Sở Tư pháp", [], YEARLY, "Báo cáo định kỳ", OG, None, "1.3"),
    ("I", "Theo dõi tình hình thi hành pháp luật trong lĩnh vực trọng tâm năm 2026",
     "Sở Tư pháp", ["Sở Y tế", "Sở Giáo dục và Đào tạo"], D(2026, 10, 31), "Báo cáo của UBND tỉnh", IP, None, ""),
    ("I", "Kiểm tra công tác xây dựng và thi hành văn bản tại 10 xã, phường",
     "Sở Tư pháp", ["Văn phòng Ủy ban nhân dân tỉnh"], D(2026, 12, 15), "Thông báo kết luận kiểm tra", IP, None, ""),
    ("II", "Rà soát, đơn giản hóa thủ tục hành chính, giấy tờ công dân liên quan đến quản lý dân cư",
     "Văn phòng Ủy ban nhân dân tỉnh", ["Công an tỉnh"], D(2026, 6, 30), "Phương án đơn giản hóa", DONE, D(2026, 6, 25), "2.1"),
    ("II", "Công bố, công khai danh mục thủ tục hành chính kịp thời, đúng quy định",
     "Văn phòng Ủy ban nhân dân tỉnh", [], YEARLY, "Quyết định công bố", OG, None, "2.2"),
    ("II", "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính đạt 100% tại Trung tâm Phục vụ hành chính công",
     "Trung tâm Phục vụ hành chính công tỉnh", ["Sở Khoa học và Công nghệ"], D(2026, 9, 30), "Báo cáo số hóa", IP, None, "2.3"),
    ("II", "Thực hiện thủ tục hành chính không phụ thuộc địa giới hành chính trong phạm vi tỉnh",
     "Trung tâm Phục vụ hành chính công tỉnh", ["Văn phòng Ủy ban nhân dân tỉnh"], D(2026, 12, 31), "Danh mục TTHC", IP, None, ""),
    ("II", "Khảo sát mức độ hài lòng của tổ chức, cá nhân đối với dịch vụ hành chính công",
     "Sở Nội vụ", ["Trung tâm Phục vụ hành chính công tỉnh"], D(2026, 11, 30), "Báo cáo kết quả khảo sát", IP, None, "SIPAS"),
    ("II", "Tiếp nhận, xử lý phản ánh, kiến nghị của cá nhân, tổ chức về quy định hành chính",
     "Văn phòng Ủy ban nhân dân tỉnh", [], YEARLY, "Báo cáo quý", OG, None, ""),
    ("III", "Rà soát, sắp xếp tổ chức bên trong các cơ quan chuyên môn sau hợp nhất",
     "Sở Nội vụ", [], D(2026, 3, 31), "Quyết định của UBND tỉnh", DONE, D(2026, 3, 28), "3.1"),
    ("III", "Xây dựng đề án vị trí việc làm của các cơ quan, đơn vị sau sắp xếp",
     "Sở Nội vụ", ["Sở Tài chính"], D(2026, 6, 30), "Đề án vị trí việc làm", IP, None, "3.2"),
    ("III", "Kiện toàn tổ chức bộ máy Ủy ban nhân dân cấp xã theo mô hình chính quyền hai cấp",
     "Sở Nội vụ", [], D(2026, 4, 30), "Báo cáo kết quả", DONE, D(2026, 5, 12), ""),
    ("III", "Thực hiện tinh giản biên chế theo quy định",
     "Sở Nội vụ", ["Sở Tài chính"], YEARLY, "Báo cáo tinh giản biên chế", OG, None, ""),
    ("III", "Kiểm tra việc thực hiện quy định về phân cấp, ủy quyền tại các sở, ngành",
     "Sở Nội vụ", ["Thanh tra tỉnh"], D(2026, 9, 30), "Kết luận kiểm tra", NS, None, ""),
    ("IV", "Tuyển dụng công chức, viên chức theo vị trí việc làm",
     "Sở Nội vụ", [], D(2026, 8, 31), "Kết quả tuyển dụng", DONE, D(2026, 8, 20), "4.1"),
    ("IV", "Đánh giá, xếp loại chất lượng cán bộ, công chức, viên chức năm 2026",
     "Sở Nội vụ", [], D(2026, 12, 31), "Báo cáo tổng hợp", NS, None, "4.2"),
    ("IV", "Bồi dưỡng kỹ năng số cho cán bộ, công chức cấp xã",
     "Sở Nội vụ", ["Sở Khoa học và Công nghệ"], D(2026, 10, 31), "Lớp bồi dưỡng", DONE, D(2026, 10, 25), ""),
    ("IV", "Kiểm tra công vụ, kỷ luật, kỷ cương hành chính",
     "Sở Nội vụ", ["Thanh tra tỉnh", "Văn phòng Ủy ban nhân dân tỉnh"], YEARLY, "Thông báo kết quả kiểm tra", OG, None, "4.3"),
    ("V", "Giao dự toán ngân sách năm 2026 cho các cơ quan, đơn vị đúng thời hạn",
     "Sở Tài chính", [], D(2026, 1, 15), "Quyết định giao dự toán", DONE, D(2026, 1, 10), "5.1"),
    ("V", "Thực hiện cơ chế tự chủ tài chính đối với đơn vị sự nghiệp công lập",
     "Sở Tài chính", ["Sở Nội vụ"], D(2026, 9, 30), "Báo cáo đánh giá", IP, None, "5.2"),
    ("V", "Giải ngân vốn đầu tư công năm 2026",
     "Sở Tài chính", ["Sở Xây dựng"], D(2026, 12, 31), "Báo cáo giải ngân", IP, None, ""),
    ("V", "Rà soát, sắp xếp lại, xử lý tài sản công sau sắp xếp đơn vị hành chính",
     "Sở Tài chính", ["Sở Xây dựng"], D(2026, 6, 30), "Phương án xử lý tài sản", IP, None, ""),
    ("VI", "Nâng cấp Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh",
     "Sở Khoa học và Công nghệ", ["Trung tâm Phục vụ hành chính công tỉnh"], D(2026, 6, 30), "Hệ thống được nâng cấp", DONE, D(2026, 6, 29), "6.1"),
    ("VI", "Cung cấp dịch vụ công trực tuyến toàn trình đạt tối thiểu 80%",
     "Sở Khoa học và Công nghệ", ["Văn phòng Ủy ban nhân dân tỉnh"], D(2026, 12, 31), "Báo cáo kết quả", IP, None, "6.2"),
    ("VI", "Kết nối, chia sẻ dữ liệu dân cư với các hệ thống chuyên ngành (Đề án 06)",
     "Công an tỉnh", ["Sở Khoa học và Công nghệ"], D(2026, 9, 30), "Báo cáo Đề án 06", DONE, D(2026, 10, 15), ""),
    ("VI", "Bảo đảm an toàn thông tin mạng cho các hệ thống của tỉnh",
     "Sở Khoa học và Công nghệ", [], YEARLY, "Báo cáo", OG, None, ""),
    ("VI", "Triển khai hệ thống báo cáo kinh tế - xã hội của tỉnh",
     "Văn phòng Ủy ban nhân dân tỉnh", ["Sở Tài chính"], D(2026, 8, 31), "Hệ thống báo cáo", DONE, D(2026, 9, 15), ""),
    ("VI", "Số hóa hồ sơ lưu trữ lịch sử của tỉnh",
     "Sở Nội vụ", [], D(2026, 12, 31), "Cơ sở dữ liệu lưu trữ", IP, None, ""),
    ("VII", "Ban hành Kế hoạch cải cách hành chính năm 2026",
     "Sở Nội vụ", [], D(2026, 1, 20), "Kế hoạch của UBND tỉnh", DONE, D(2026, 1, 15), "0.1"),
    ("VII", "Kiểm tra công tác cải cách hành chính tại các sở, ngành và UBND cấp xã",
     "Sở Nội vụ", ["Văn phòng Ủy ban nhân dân tỉnh"], D(2026, 10, 31), "Thông báo kết luận", DONE, D(2026, 10, 30), "0.2"),
    ("VII", "Xác định Chỉ số cải cách hành chính của các sở, ngành, UBND cấp xã năm 2025",
     "Sở Nội vụ", [], D(2026, 3, 31), "Quyết định công bố Chỉ số", DONE, D(2026, 4, 8), "0.3"),
    ("VII", "Báo cáo công tác cải cách hành chính định kỳ quý, 6 tháng, 9 tháng, năm",
     "Sở Nội vụ", [], YEARLY, "Báo cáo định kỳ", OG, None, ""),
    ("VII", "Tự đánh giá, chấm điểm Chỉ số cải cách hành chính năm 2026 của tỉnh",
     "Sở Nội vụ", ["Văn phòng Ủy ban nhân dân tỉnh", "Sở Tư pháp"], D(2026, 12, 31), "Báo cáo tự đánh giá", NS, None, ""),
    ("VIII", "Tuyên truyền về cải cách hành chính trên Báo và Đài Phát thanh - Truyền hình tỉnh",
     "Sở Văn hóa, Thể thao và Du lịch", ["Sở Nội vụ"], YEARLY, "Chuyên mục, tin bài", OG, None, ""),
    ("VIII", "Tổ chức Hội thi tìm hiểu về cải cách hành chính năm 2026",
     "Sở Nội vụ", ["Sở Văn hóa, Thể thao và Du lịch"], D(2026, 9, 30), "Hội thi", DONE, D(2026, 9, 20), ""),
    ("VIII", "Cập nhật chuyên mục cải cách hành chính trên Cổng thông tin điện tử tỉnh",
     "Văn phòng Ủy ban nhân dân tỉnh", [], YEARLY, "Chuyên mục cập nhật", OG, None, ""),
    ("VIII", "Phổ biến, giáo dục pháp luật về thủ tục hành chính cho người dân",
     "Sở Tư pháp", ["Trung tâm Phục vụ hành chính công tỉnh"], D(2026, 11, 30), "Tài liệu, hội nghị", IP, None, ""),
    ("VIII", "Khảo sát ý kiến người dân về chất lượng cung cấp dịch vụ công",
     "Sở Nội vụ", [], D(2026, 12, 31), "Báo cáo", NS, None, ""),
]  # fmt: skip

TASKS_2025 = [
    ("I", "Rà soát văn bản quy phạm pháp luật của tỉnh năm 2025", "Sở Tư pháp", D(2025, 6, 30), DONE, D(2025, 6, 20)),
    ("I", "Kiểm tra văn bản quy phạm pháp luật cấp huyện", "Sở Tư pháp", D(2025, 5, 31), DONE, D(2025, 5, 30)),
    ("II", "Rà soát, đơn giản hóa thủ tục hành chính", "Văn phòng Ủy ban nhân dân tỉnh", D(2025, 9, 30), DONE, D(2025, 9, 20)),
    ("II", "Triển khai Trung tâm Phục vụ hành chính công tỉnh mới", "Văn phòng Ủy ban nhân dân tỉnh", D(2025, 7, 1), DONE, D(2025, 7, 1)),
    ("III", "Sắp xếp đơn vị hành chính cấp xã và tổ chức chính quyền hai cấp", "Sở Nội vụ", D(2025, 7, 1), DONE, D(2025, 7, 1)),
    ("III", "Hợp nhất các sở theo Nghị định 45/2025/NĐ-CP", "Sở Nội vụ", D(2025, 3, 1), DONE, D(2025, 3, 1)),
    ("IV", "Đánh giá, xếp loại cán bộ, công chức năm 2025", "Sở Nội vụ", D(2025, 12, 31), IP, None),
    ("V", "Giao dự toán ngân sách năm 2025", "Sở Tài chính", D(2025, 1, 15), DONE, D(2025, 1, 12)),
    ("VI", "Cung cấp dịch vụ công trực tuyến toàn trình", "Sở Khoa học và Công nghệ", D(2025, 12, 31), DONE, D(2025, 12, 20)),
    ("VII", "Ban hành Kế hoạch cải cách hành chính năm 2025", "Sở Nội vụ", D(2025, 1, 20), DONE, D(2025, 1, 16)),
    ("VII", "Kiểm tra công tác cải cách hành chính năm 2025", "Sở Nội vụ", D(2025, 10, 31), DONE, D(2025, 11, 15)),
    ("VIII", "Tuyên truyền cải cách hành chính năm 2025", "Sở Văn hóa, Thể thao và Du lịch", None, OG, None),
]  # fmt: skip

NOTES = {
    DONE: "Đã hoàn thành, đã ban hành văn bản; gửi kèm tài liệu kiểm chứng.",
    IP: "Đang triển khai, đã hoàn thành dự thảo và lấy ý kiến các cơ quan liên quan.",
    OG: "Duy trì thực hiện thường xuyên theo kế hoạch; báo cáo định kỳ đúng hạn.",
}


def _at(date: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(date, dt.time(9, 0)))


def _plan(province, year: int, decision: str, decision_date: dt.date) -> Plan:
    plan, created = Plan.objects.get_or_create(
        unit=province,
        year=year,
        agency=None,
        defaults={
            "title": f"Kế hoạch cải cách hành chính năm {year} của tỉnh {province.short_name}",
            "decision_number": decision,
            "decision_date": decision_date,
        },
    )
    plan.ensure_default_areas()
    return plan


@transaction.atomic
def load_demo(province) -> dict:
    agencies = {a.name: a for a in Agency.objects.filter(province=province, valid_to__isnull=True)}
    officer = get_user_model().objects.filter(username="officer").first()
    created_total = 0

    plan = _plan(province, 2026, "Quyết định số 45/QĐ-UBND", D(2026, 1, 15))
    areas = {a.code: a for a in plan.areas.all()}
    counters: dict[str, int] = {}
    for order, (area, title, lead, coord, deadline, output, status, completed_on, criterion) in enumerate(
        TASKS_2026, start=1
    ):
        counters[area] = counters.get(area, 0) + 1
        recurring = deadline == YEARLY
        task, created = Task.objects.get_or_create(
            plan=plan,
            area=areas[area],
            number=str(counters[area]),
            defaults={
                "order": order,
                "title": title,
                "lead_agency": agencies[lead],
                "deadline": None if recurring else deadline,
                "recurring": recurring,
                "deadline_text": YEARLY if recurring else "",
                "expected_output": output,
                "status": status,
                "completion_date": completed_on,
                "percent": 100 if status == DONE else (60 if status == IP else None),
            },
        )
        if not created:
            continue
        created_total += 1
        task.coordinating_agencies.set([agencies[name] for name in coord])
        if criterion:
            index_code = "SIPAS" if criterion == "SIPAS" else "PAR"
            TaskCriterion.objects.create(
                task=task, index_code=index_code, component_code="" if index_code == "SIPAS" else criterion
            )
        if status == NS:
            continue
        # Notes in two reporting periods (Q1 and 6 months), and the completion report.
        notes = [
            (
                D(2026, 3, 10),
                IP if status != OG else OG,
                30 if status != OG else None,
                NOTES[IP] if status != OG else NOTES[OG],
            )
        ]
        if status in (IP, OG):
            notes.append((D(2026, 9, 10), status, 60 if status == IP else None, NOTES[status]))
        if status == DONE:
            notes = [n for n in notes if n[0] < completed_on]
            notes.append((completed_on, DONE, 100, NOTES[DONE]))
        for when, note_status, percent, text in notes:
            ProgressUpdate.objects.create(
                task=task,
                author=officer if officer and task.lead_agency.name == "Sở Tư pháp" else None,
                created_at=_at(when),
                status=note_status,
                percent=percent,
                note=text,
                document_number=f"{order}/BC-{lead.split()[-1][:3].upper()}" if note_status == DONE else "",
                document_date=when if note_status == DONE else None,
                source="demo",
            )
        Task.objects.filter(pk=task.pk).update(last_progress_at=_at(notes[-1][0]))

    old = _plan(province, 2025, "Quyết định số 12/QĐ-UBND", D(2025, 1, 16))
    old_areas = {a.code: a for a in old.areas.all()}
    counters = {}
    for order, (area, title, lead, deadline, status, completed_on) in enumerate(TASKS_2025, start=1):
        counters[area] = counters.get(area, 0) + 1
        _task, created = Task.objects.get_or_create(
            plan=old,
            area=old_areas[area],
            number=str(counters[area]),
            defaults={
                "order": order,
                "title": title,
                "lead_agency": agencies[lead],
                "deadline": deadline,
                "recurring": deadline is None,
                "deadline_text": YEARLY if deadline is None else "",
                "status": status,
                "completion_date": completed_on,
                "percent": 100 if status == DONE else None,
            },
        )
        created_total += created
    plan_figures_compute(plan.pk)
    plan_figures_compute(old.pk)
    return {"plans": [plan.pk, old.pk], "tasks_created": created_total}
