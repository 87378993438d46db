"""The self-assessment, appraisal and results pages at desktop and phone width (screenshots for review)
and printed on A4; each page keeps its content inside the viewport width."""

import datetime as dt

import pytest

from assessments.models import Score, ScoreEvidence, Stage
from assessments.results import round_publish

from .conftest import make_task_file, set_stage

WIDTHS = {"1366": {"width": 1366, "height": 900}, "390": {"width": 390, "height": 844}}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "vi-VN"}


@pytest.fixture
def scored(round_, agency, home_affairs, finance):
    evidence = make_task_file(round_.methodology.province, finance)
    for subject, values in {finance: ("4", "1.5", "3"), home_affairs: ("3", "2", "4"), agency: ("4", "2", "2")}.items():
        for code, value in zip(("1.1", "1.2", "2"), values, strict=True):
            Score.objects.filter(assessment__agency=subject, criterion__code=code).update(
                answer="yes", self_score=value, self_note="Đã thực hiện theo kế hoạch"
            )
    score = Score.objects.get(assessment__agency=finance, criterion__code="1.1")
    ScoreEvidence.objects.create(score=score, task_evidence=evidence, location="trang 2, mục I")
    return round_


def _shoot(page, url, name, artifacts_dir):
    for label, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.goto(url)
        page.screenshot(path=str(artifacts_dir / f"assessments-{name}-{label}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{name} at {label} px scrolls sideways by {overflow} px"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_three_pages_fit_desktop_and_phone(page, live_server, browser_login, scored, finance, finance_officer,
                                              appraiser, province_admin, leader, artifacts_dir):  # fmt: skip
    round_ = scored
    assessment = round_.assessments.get(agency=finance)
    browser_login(page, finance_officer)
    _shoot(page, f"{live_server.url}/assessments/unit/{assessment.pk}/", "self", artifacts_dir)
    page.context.clear_cookies()

    set_stage(round_, Stage.APPRAISAL_2)
    Score.objects.filter(assessment=assessment, criterion__code="1.1").update(
        appraised_score=3, appraisal_note="Ban hành chậm", internal_note="Xem lại sổ văn bản",
        explanation_answer="Chờ ý kiến Sở Nội vụ",
    )  # fmt: skip
    area = round_.methodology.criteria.get(code="1")
    browser_login(page, appraiser)
    _shoot(
        page,
        f"{live_server.url}/assessments/round/{round_.pk}/appraise/{area.pk}/?unit={assessment.pk}",
        "appraisal",
        artifacts_dir,
    )
    page.context.clear_cookies()

    Score.objects.filter(assessment__round=round_, appraised_score__isnull=True).exclude(self_score=None).update(
        appraised_score=1
    )
    set_stage(round_, Stage.FINALISING)
    round_publish(
        round_,
        actor=province_admin,
        decision_number="1234/QĐ-UBND",
        decision_date=dt.date(2026, 12, 28),
        signer="Phó Chủ tịch UBND tỉnh",
        version=round_.version,
    )
    browser_login(page, province_admin)
    _shoot(page, f"{live_server.url}/assessments/round/{round_.pk}/results/", "results", artifacts_dir)
    page.emulate_media(media="print")
    page.pdf(path=str(artifacts_dir / "assessments-results-a4.pdf"), format="A4")
    page.emulate_media(media="screen")
    page.context.clear_cookies()
    browser_login(page, leader)
    round_.refresh_from_db()
    _shoot(page, f"{live_server.url}/indices/{round_.index_edition.index.code}/2026/", "ranking", artifacts_dir)
    page.set_viewport_size(WIDTHS["1366"])
    page.goto(f"{live_server.url}/dashboard/")
    page.locator("[data-testid=block-own-index]").screenshot(path=str(artifacts_dir / "assessments-dashboard-1366.png"))


STAGE_BOXES = """() => [...document.querySelectorAll('[data-testid=stages] li')].map(li => {
  const r = li.getBoundingClientRect(), range = document.createRange(); range.selectNodeContents(li);
  const text = [...range.getClientRects()];
  return {text: li.textContent.trim(), left: r.left, right: r.right, top: r.top, bottom: r.bottom,
          textRight: Math.max(...text.map(t => t.right)), textLeft: Math.min(...text.map(t => t.left))}; })"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_rounds_stages_never_overlap(page, live_server, browser_login, round_, province_admin, artifacts_dir):
    """At 1366 px the two-column stage list ran "(đến 05/01/2027)" into "4. Giải trình" (the number sat outside
    its item, in a 1rem gap); at 390 px it pushed the page 218 px wide."""
    browser_login(page, province_admin)
    for width in (1366, 1024, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/assessments/round/{round_.pk}/")
        boxes = page.evaluate(STAGE_BOXES)
        assert [box["text"].split(" ")[0] for box in boxes] == [f"{n}." for n in range(1, 8)]  # numbers in the boxes
        for box in boxes:
            assert box["left"] <= box["textLeft"] and box["textRight"] <= box["right"] + 1, (width, box)
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                apart = (
                    a["right"] <= b["left"]
                    or b["right"] <= a["left"]
                    or a["bottom"] <= b["top"]
                    or b["bottom"] <= a["top"]
                )
                assert apart, (width, a, b)
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, width
        page.locator("[data-testid=stages]").screenshot(path=str(artifacts_dir / f"assessments-stages-{width}.png"))
