"""Survey-based criteria: results imported per unit and criterion from .xlsx (the survey runs elsewhere).

Columns: đơn vị (the unit's name), mã tiêu chí (criterion code), điểm (points). Every row is
checked first; one problem and nothing is saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.log import record_many
from audit.models import AuditAction, AuditEvent, AuditSource
from cchc_portal.lib.imports import (
    FileRefused,
    NameIndex,
    RowProblem,
    UnreadableRow,
    cell_text,
    find_header,
    read_table,
)
from cchc_portal.lib.numbers import AmbiguousNumber, parse_score
from cchc_portal.lib.text import fold

from .models import Round, Score, Stage, fmt_points
from .scoring import is_secretary
from .trees import import_limits

HEADERS = {
    "unit": {"don vi", "ten don vi", "co quan", "unit", "xa phuong", "ten co quan"},
    "code": {"ma tieu chi", "tieu chi", "stt", "criterion"},
    "points": {"diem", "diem khao sat", "points", "ket qua"},
}


@dataclass
class SurveyPreview:
    values: list[tuple[int, Score, Decimal]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.values) and not self.problems


def _recognise(texts: list[str]) -> dict[str, int] | None:
    found: dict[str, int] = {}
    for position, text in enumerate(texts):
        for name, options in HEADERS.items():
            if fold(text) in options and name not in found:
                found[name] = position
    return found if len(found) == len(HEADERS) else None


def plan_survey_import(round_: Round, content: bytes, filename: str = "") -> SurveyPreview:
    """Read and check the survey results (the toolkit reads the file and matches unit names); nothing is written."""
    preview = SurveyPreview()
    try:
        rows = read_table(content, import_limits())
        header_at, header, columns = find_header(
            rows, _recognise, _("No header row with the columns đơn vị, mã tiêu chí and điểm was found.")
        )
    except FileRefused as exc:
        preview.problems.append(exc.message)
        return preview
    scores: dict[tuple[int, str], Score] = {}
    units = NameIndex()
    for score in Score.objects.filter(assessment__round=round_, by_survey=True).select_related(
        "assessment__agency", "assessment__unit", "criterion"
    ):
        scores[(score.assessment_id, score.criterion.code.upper())] = score
        units.add(score.assessment_id, [score.assessment.subject_name])

    def problem(number: int, column: str, message: str) -> None:
        preview.problems.append(str(RowProblem(row=number, column_name=header[columns[column]], message=message)))

    for index in range(header_at + 1, len(rows)):
        row, number = rows[index], rows.number(index)
        if isinstance(row, UnreadableRow):
            preview.problems.append(str(RowProblem(row=number, column_name="", message=row.message)))
            continue
        cells = {name: cell_text(row[p]) if p < len(row) else "" for name, p in columns.items()}
        if not any(cells.values()):
            continue
        found = units.lookup(cells["unit"])
        if len(found) != 1:
            problem(number, "unit", _("no unit named “%(unit)s” in this round.") % {"unit": cells["unit"]})
            continue
        score = scores.get((found[0], cells["code"].upper().rstrip(".")))
        if score is None:
            problem(number, "code", _("%(code)s is not a survey criterion of this round.") % {"code": cells["code"]})
            continue
        try:
            value = parse_score(cells["points"])
        except (AmbiguousNumber, ValueError, ArithmeticError):
            value = None
        if value is None or value < 0 or value > score.max_points:
            problem(
                number,
                "points",
                _("“%(value)s” is not between 0 and %(max)s points.")
                % {"value": cells["points"], "max": fmt_points(score.max_points)},
            )
            continue
        if not score.applicable:
            problem(
                number,
                "code",
                _("criterion %(code)s does not apply to %(unit)s.") % {"code": cells["code"], "unit": cells["unit"]},
            )
            continue
        preview.values.append((number, score, value))
    if not preview.values and not preview.problems:
        preview.problems.append(_("The file has no rows under its header."))
    return preview


@transaction.atomic
def survey_import_commit(round_: Round, preview: SurveyPreview, *, actor) -> int:
    if not is_secretary(actor, round_):
        raise PermissionDenied
    if round_.stage in (Stage.PUBLISHED,):
        raise ValidationError(_("The round is published and read-only."))
    if not preview.ok:
        raise ValidationError(preview.problems)
    content_type = ContentType.objects.get_for_model(Score)
    events = []
    for _row, score, value in preview.values:
        if score.survey_score != value:
            events.append(
                AuditEvent(
                    actor=actor,
                    action=AuditAction.UPDATE,
                    source=AuditSource.IMPORT,
                    content_type=content_type,
                    object_id=str(score.pk),
                    object_repr=str(score)[:255],
                    changes={
                        "survey_score": [None if score.survey_score is None else str(score.survey_score), str(value)]
                    },
                    note=_("survey results"),
                )
            )
            score.survey_score = value
    Score.objects.bulk_update([s for _r, s, _v in preview.values], ["survey_score"], batch_size=1000)
    record_many(events)
    return len(preview.values)
