"""Criteria trees: import from the decision's annex (.xlsx), copy forward from last year, the demo sample.

The annex has the columns STT, tiêu chí, điểm tối đa, cách tính điểm, tài liệu kiểm chứng (and
optionally "khảo sát": x for a criterion scored by the survey). The tree comes from the
numbering: "1" is an area, "1.1" a criterion, "1.1.1" a sub-criterion; "T1", "T2" are bonus
items and "TR1", "TR2" penalty items. The whole file is checked first; one problem and
nothing is saved (the preview lists every problem with its row).

Reading, header finding, cell text and row problems use the project's import toolkit
(`cchc_portal.lib.imports`): the file is checked by content (type, size, ZIP limits, macros).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.log import record_change
from audit.models import AuditAction, AuditSource
from cchc_portal.lib.imports import FileRefused, Limits, RowProblem, UnreadableRow, cell_text, find_header, read_table
from cchc_portal.lib.numbers import AmbiguousNumber, parse_score
from cchc_portal.lib.text import fold

from .models import Criterion, Methodology, NodeKind, NotApplicable, Round, TargetGroup, tree_problems

HEADERS = {
    "code": {"stt", "so tt", "ma", "ma tieu chi", "tt"},
    "name": {"tieu chi", "noi dung", "ten tieu chi", "linh vuc tieu chi", "noi dung tieu chi", "tieu chi thanh phan"},
    "max_points": {"diem toi da", "diem chuan", "thang diem", "diem"},
    "guide": {"cach tinh diem", "huong dan cham diem", "cach cham diem", "phuong phap cham diem"},
    "evidence_required": {"tai lieu kiem chung", "tai lieu kiem chung yeu cau"},
    "by_survey": {"khao sat", "cham qua khao sat", "diem khao sat"},
}
REQUIRED = ("code", "name", "max_points")
CODE = re.compile(r"^(\d+(?:\.\d+)*)\.?$|^(TR?)\s*(\d+)$", re.IGNORECASE)
MAX_ROWS = 2000


@dataclass
class Node:
    row: int
    code: str
    name: str
    kind: str
    max_points: Decimal
    parent_code: str | None
    guide: str = ""
    evidence_required: str = ""
    by_survey: bool = False


@dataclass
class TreePreview:
    nodes: list[Node] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.nodes) and not self.problems

    @property
    def maximum(self) -> Decimal:
        return sum((n.max_points for n in self.nodes if n.kind == NodeKind.AREA), Decimal(0))


def import_limits() -> Limits:
    """The toolkit's limits for the index's spreadsheets (CCHC["ASSESSMENT_IMPORT_MAX_BYTES"], 5 MB)."""
    return Limits(max_bytes=int(settings.CCHC.get("ASSESSMENT_IMPORT_MAX_BYTES", 5 * 1024 * 1024)), max_rows=MAX_ROWS)


def _recognise(texts: list[str]) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for position, text in enumerate(texts):
        key = fold(text)
        for name, options in HEADERS.items():
            if key in options and name not in columns:
                columns[name] = position
    return columns if all(name in columns for name in REQUIRED) else None


def _kind_for(code: str) -> tuple[str, str | None] | None:
    match = CODE.match(code)
    if not match:
        return None
    if match.group(1):
        parts = match.group(1).split(".")
        kinds = [NodeKind.AREA, NodeKind.CRITERION, NodeKind.SUB_CRITERION]
        if len(parts) > len(kinds):
            return None
        return kinds[len(parts) - 1], ".".join(parts[:-1]) or None
    return (NodeKind.PENALTY if match.group(2).upper() == "TR" else NodeKind.BONUS), None


def plan_tree_import(content: bytes, filename: str = "") -> TreePreview:
    """Read and check the annex; nothing is written."""
    preview = TreePreview()
    try:
        rows = read_table(content, import_limits())
        header_at, header, columns = find_header(
            rows,
            _recognise,
            _("No header row with the columns STT, tiêu chí and điểm tối đa was found in the first rows."),
        )
    except FileRefused as exc:
        preview.problems.append(exc.message)
        return preview
    names = {name: header[position] for name, position in columns.items()}
    seen: dict[str, int] = {}

    def problem(number: int, column: str, message: str) -> None:
        preview.problems.append(str(RowProblem(row=number, column_name=names.get(column, ""), message=message)))

    for index in range(header_at + 1, len(rows)):
        row, number = rows[index], rows.number(index)
        if len(preview.nodes) + len(preview.problems) >= MAX_ROWS:
            preview.problems.append(_("The file has more than %(n)d rows.") % {"n": MAX_ROWS})
            break
        if isinstance(row, UnreadableRow):
            problem(number, "", row.message)
            continue

        def cell(name, row=row):
            position = columns.get(name)
            return cell_text(row[position]) if position is not None and position < len(row) else ""

        code, name = cell("code").rstrip("."), cell("name")
        if not code and not name:
            continue
        kind = _kind_for(code)
        if kind is None:
            problem(
                number, "code", _("“%(code)s” is not a numbering such as 1, 1.1, 1.1.1, T1 or TR1.") % {"code": code}
            )
            continue
        code = code.upper()
        if code in seen:
            problem(
                number,
                "code",
                _("the number %(code)s is already used on row %(other)d.") % {"code": code, "other": seen[code]},
            )
            continue
        seen[code] = number
        if not name:
            problem(number, "name", _("the criterion has no name."))
        try:
            maximum = parse_score(cell("max_points")) if cell("max_points") else None
        except (AmbiguousNumber, ValueError, ArithmeticError):
            maximum = None
        if maximum is None or maximum <= 0:
            problem(
                number,
                "max_points",
                _("the maximum “%(value)s” is not a positive number of points.") % {"value": cell("max_points")},
            )
            continue
        node_kind, parent = kind
        if parent and parent not in seen:
            problem(
                number,
                "code",
                _("%(code)s comes before its parent %(parent)s (or the parent is missing).")
                % {"code": code, "parent": parent},
            )
            continue
        preview.nodes.append(
            Node(
                row=number,
                code=code,
                name=name[:500],
                kind=node_kind,
                max_points=maximum,
                parent_code=parent,
                guide=cell("guide"),
                evidence_required=cell("evidence_required"),
                by_survey=fold(cell("by_survey")) in {"x", "co", "yes", "1", "khao sat"},
            )
        )
    if not preview.nodes and not preview.problems:
        preview.problems.append(_("The file has no criteria under its header."))
    preview.problems.extend(tree_problems(preview.nodes))
    return preview


def guard_editable(methodology: Methodology) -> None:
    """Refuse a change of the tree (or of its "not applicable" marks) once the scoring round is open."""
    if Round.objects.filter(methodology=methodology).exists():
        raise ValidationError(_("The tree cannot change once its scoring round is open."))


@transaction.atomic
def tree_import_commit(methodology: Methodology, preview: TreePreview, *, actor=None) -> int:
    """Replace the methodology's tree with the checked one (all or nothing)."""
    guard_editable(methodology)
    if not preview.ok:
        raise ValidationError(preview.problems or [_("The file has no criteria.")])
    methodology.criteria.all().delete()
    created: dict[str, Criterion] = {}
    for order, node in enumerate(preview.nodes, start=1):
        criterion = Criterion(
            methodology=methodology,
            parent=created.get(node.parent_code) if node.parent_code else None,
            code=node.code,
            name=node.name,
            kind=node.kind,
            max_points=node.max_points,
            guide=node.guide,
            evidence_required=node.evidence_required,
            by_survey=node.by_survey,
            order=order,
        )
        criterion.full_clean(exclude=["methodology", "parent"])
        criterion.save()
        created[node.code] = criterion
    methodology.validate_tree()
    record_change(
        methodology,
        actor=actor,
        source=AuditSource.IMPORT,
        changes={"criteria": [None, len(created)]},
        note=_("criteria tree imported"),
    )
    return len(created)


@transaction.atomic
def methodology_copy_forward(methodology: Methodology, *, actor=None, year: int | None = None) -> Methodology:
    """Next year's methodology with the same settings, tree and exclusions, to be edited there."""
    year = year or methodology.year + 1
    if Methodology.objects.filter(province_id=methodology.province_id, group=methodology.group, year=year).exists():
        raise ValidationError(_("There is already a methodology for %(year)s.") % {"year": year})
    copy = Methodology.objects.create(
        province_id=methodology.province_id,
        year=year,
        group=methodology.group,
        name=methodology.name,
        decision_ref="",
        bonus_cap=methodology.bonus_cap,
        penalty_cap=methodology.penalty_cap,
        bands=methodology.bands,
        is_sample=methodology.is_sample,
    )
    mapping: dict[int, Criterion] = {}
    for node in methodology.criteria.order_by("order", "pk"):
        # Import order puts parents first; `order` keeps it.
        mapping[node.pk] = Criterion.objects.create(
            methodology=copy,
            parent=mapping.get(node.parent_id),
            code=node.code,
            name=node.name,
            kind=node.kind,
            max_points=node.max_points,
            guide=node.guide,
            evidence_required=node.evidence_required,
            by_survey=node.by_survey,
            order=node.order,
        )
    NotApplicable.objects.bulk_create(
        NotApplicable(criterion=mapping[x.criterion_id], agency_id=x.agency_id, unit_id=x.unit_id, reason=x.reason)
        for x in NotApplicable.objects.filter(criterion__methodology=methodology)
    )
    record_change(
        copy, actor=actor, action=AuditAction.CREATE, note=_("copied from %(year)s") % {"year": methodology.year}
    )
    return copy


# --- the sample tree for the demo province ------------------------------------------------------------

# A SAMPLE modelled on provincial indices for departments (8 areas, 100 points, one survey
# criterion, one bonus and one penalty item). It is not any province's decision.
SAMPLE_TREE = [
    ("1", "Công tác chỉ đạo, điều hành CCHC", "12"),
    ("1.1", "Kế hoạch CCHC năm", "4"),
    ("1.1.1", "Ban hành kế hoạch đúng thời hạn", "2"),
    ("1.1.2", "Mức độ hoàn thành kế hoạch", "2"),
    ("1.2", "Báo cáo CCHC định kỳ đầy đủ, đúng hạn", "3"),
    ("1.3", "Kiểm tra công tác CCHC", "3"),
    ("1.4", "Tuyên truyền CCHC", "2"),
    ("2", "Cải cách thể chế", "10"),
    ("2.1", "Xây dựng, ban hành văn bản quy phạm pháp luật", "5"),
    ("2.2", "Rà soát, hệ thống hóa văn bản", "5"),
    ("3", "Cải cách thủ tục hành chính", "20"),
    ("3.1", "Công khai thủ tục hành chính", "6"),
    ("3.2", "Tỷ lệ hồ sơ giải quyết đúng hạn", "8"),
    ("3.3", "Tiếp nhận, xử lý phản ánh, kiến nghị", "6"),
    ("4", "Cải cách tổ chức bộ máy", "10"),
    ("4.1", "Sắp xếp tổ chức bộ máy theo quy định", "5"),
    ("4.2", "Quản lý biên chế", "5"),
    ("5", "Cải cách chế độ công vụ", "12"),
    ("5.1", "Vị trí việc làm", "4"),
    ("5.2", "Đánh giá, xếp loại công chức", "4"),
    ("5.3", "Kỷ luật, kỷ cương hành chính", "4"),
    ("6", "Cải cách tài chính công", "10"),
    ("6.1", "Thực hiện cơ chế tự chủ tài chính", "5"),
    ("6.2", "Công khai ngân sách", "5"),
    ("7", "Chuyển đổi số, Chính phủ số", "16"),
    ("7.1", "Dịch vụ công trực tuyến", "6"),
    ("7.2", "Số hóa hồ sơ, kết quả giải quyết TTHC", "5"),
    ("7.3", "Sử dụng hệ thống quản lý văn bản điện tử", "5"),
    ("8", "Tác động của CCHC (khảo sát)", "10"),
    ("8.1", "Mức độ hài lòng của người dân, tổ chức", "10"),
    ("T1", "Sáng kiến, mô hình CCHC mới được công nhận", "2"),
    ("TR1", "Bị cấp có thẩm quyền phê bình về CCHC", "3"),
]
SAMPLE_SURVEY = {"8", "8.1"}


def sample_preview() -> TreePreview:
    preview = TreePreview()
    for row, (code, name, maximum) in enumerate(SAMPLE_TREE, start=2):
        kind, parent = _kind_for(code)
        preview.nodes.append(
            Node(
                row=row,
                code=code,
                name=name,
                kind=kind,
                max_points=Decimal(maximum),
                parent_code=parent,
                guide=_("Full points when done on time and complete; half when late or partial; none otherwise."),
                evidence_required=_("The decision, plan or report proving it (number, date), with the page."),
                by_survey=code in SAMPLE_SURVEY,
            )
        )
    assert not tree_problems(preview.nodes), tree_problems(preview.nodes)
    return preview


def sample_methodology(province, year: int, *, actor=None) -> Methodology:
    """The SAMPLE departments' index for the demo province (idempotent)."""
    methodology, created = Methodology.objects.get_or_create(
        province=province,
        year=year,
        group=TargetGroup.AGENCY,
        defaults={
            "name": "Chỉ số CCHC các sở, ban, ngành (mẫu)",
            "decision_ref": "Mẫu minh họa — không phải quyết định thật",
            "bonus_cap": Decimal(2),
            "penalty_cap": Decimal(3),
            "is_sample": True,
        },
    )
    if created or not methodology.criteria.exists():
        tree_import_commit(methodology, sample_preview(), actor=actor)
    return methodology
