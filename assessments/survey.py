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
from cchc_portal.lib.numbers import AmbiguousNumber, parse_score
from cchc_portal.lib.text import fold
from indices.importing import FileFormatError, read_table

from .models import Round, Score, Stage, fmt_points
from .scoring import is_secretary

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


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value or "").split())


def plan_survey_import(round_: Round, content: bytes, filename: str) -> SurveyPreview:
    preview = SurveyPreview()
    try:
        rows = read_table(content, filename)
    except FileFormatError as exc:
        preview.problems.append(str(exc))
        return preview
    header, columns = None, {}
    for number, row in enumerate(rows[:15]):
        found = {}
        for position, cell in enumerate(row):
            for name, options in HEADERS.items():
                if fold(_text(cell)) in options and name not in found:
                    found[name] = position
        if len(found) == len(HEADERS):
            header, columns = number, found
            break
    if header is None:
        preview.problems.append(_("No header row with the columns đơn vị, mã tiêu chí and điểm was found."))
        return preview
    scores = {
        (fold(s.assessment.subject_name), s.criterion.code.upper()): s
        for s in Score.objects.filter(assessment__round=round_, by_survey=True).select_related(
            "assessment__agency", "assessment__unit", "criterion"
        )
    }
    for number, row in enumerate(rows[header + 1 :], start=header + 2):
        cells = {name: _text(row[p]) if p < len(row) else "" for name, p in columns.items()}
        if not any(cells.values()):
            continue
        where = _("Row %(row)d") % {"row": number}
        score = scores.get((fold(cells["unit"]), cells["code"].upper().rstrip(".")))
        if score is None:
            preview.problems.append(
                _("%(where)s: no survey criterion %(code)s for a unit named “%(unit)s” in this round.")
                % {"where": where, "code": cells["code"], "unit": cells["unit"]}
            )
            continue
        try:
            value = parse_score(cells["points"])
        except (AmbiguousNumber, ValueError, ArithmeticError):
            value = None
        if value is None or value < 0 or value > score.max_points:
            preview.problems.append(
                _("%(where)s: “%(value)s” is not between 0 and %(max)s points.")
                % {"where": where, "value": cells["points"], "max": fmt_points(score.max_points)}
            )
            continue
        if not score.applicable:
            preview.problems.append(
                _("%(where)s: criterion %(code)s does not apply to %(unit)s.")
                % {"where": where, "code": cells["code"], "unit": cells["unit"]}
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
