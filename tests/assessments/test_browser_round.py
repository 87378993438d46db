"""Done when: the whole round in a browser, stages closed by the real worker, the results on the
ranking page and the leader's dashboard."""

import datetime as dt

import pytest
from django.utils import timezone

from assessments.models import Methodology, Round, Score, ScoreEvidence, Stage, TargetGroup
from conftest import wait_for

from .conftest import make_task_file, pdf_upload, xlsx_bytes

TREE_FILE = [
    ["PHỤ LỤC: BỘ TIÊU CHÍ CHỈ SỐ CCHC CÁC SỞ, BAN, NGÀNH"],
    ["STT", "Tiêu chí", "Điểm tối đa", "Cách tính điểm", "Tài liệu kiểm chứng"],
    ["1", "Công tác chỉ đạo, điều hành", 6, "", ""],
    ["1.1", "Ban hành kế hoạch CCHC đúng hạn", 4, "Đúng hạn: 4; chậm: 2", "Quyết định ban hành kế hoạch"],
    ["1.2", "Báo cáo định kỳ đầy đủ", 2, "Đủ 4 báo cáo: 2", "Các báo cáo quý"],
    ["2", "Cải cách thủ tục hành chính", 4, "Công khai đầy đủ: 4", "Ảnh chụp trang công khai"],
]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "vi-VN", "viewport": {"width": 1366, "height": 900}}


def _pdf_payload(name):
    return {"name": name, "mimeType": "application/pdf", "buffer": pdf_upload().read()}


def _close_stage(page, url, round_id, expected):
    page.goto(url)
    _submit(page, "[data-testid=close-stage]")
    wait_for(lambda: Round.objects.get(pk=round_id).stage == expected)


def _submit(page, target):
    """Click a submit button (a selector or a locator) and wait for the next page."""
    with page.expect_navigation():
        (page.locator(target) if isinstance(target, str) else target).click()


def _logout(page):
    _submit(page, "form[action='/accounts/logout/'] button")


@pytest.mark.browser
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_round_from_tree_import_to_publication(
    page, live_server, browser_login, province, agency, finance, province_admin, finance_officer, appraiser,
    leader, artifacts_dir, celery_worker_process, tmp_path,
):  # fmt: skip
    evidence = make_task_file(province, finance, "Công khai thủ tục hành chính")
    methodology = Methodology.objects.create(
        province=province, year=2026, group=TargetGroup.AGENCY, name="Chỉ số CCHC các sở, ban, ngành"
    )
    today = timezone.localdate()
    base = live_server.url

    # The secretary imports the tree, opens the round and assigns area 1 to the justice department.
    browser_login(page, province_admin)
    page.goto(f"{base}/assessments/methodology/{methodology.pk}/")
    annex = tmp_path / "phu-luc.xlsx"
    annex.write_bytes(xlsx_bytes(TREE_FILE))
    page.set_input_files("input[name=file]", str(annex))
    _submit(page, "button:has-text('Xem trước')")
    assert "Chưa lưu cho đến khi bạn xác nhận" in page.inner_text("main")
    _submit(page, "button[name=confirm]")
    page.wait_for_selector("[data-testid=tree]")
    for field, days in {
        "self_opens": 0,
        "self_closes": 5,
        "appraisal1_closes": 10,
        "explanation_closes": 15,
        "appraisal2_closes": 20,
    }.items():
        page.fill(f"input[name={field}]", (today + dt.timedelta(days=days)).isoformat())
    _submit(page, "form[action$='/round/'] button")
    round_ = Round.objects.get(methodology=methodology)
    round_url = f"{base}/assessments/round/{round_.pk}/"
    page.wait_for_url(round_url)
    area1 = methodology.criteria.get(code="1")
    page.select_option("select[name=area]", str(area1.pk))
    page.select_option("select[name=agency]", str(agency.pk))
    _submit(page, "form[action$='/assign/'] button")
    _close_stage(page, round_url, round_.pk, Stage.SELF)
    _logout(page)

    # The finance department self-scores with one uploaded file and one file linked from its task, and submits.
    assessment = round_.assessments.get(agency=finance)
    unit_url = f"{base}/assessments/unit/{assessment.pk}/"
    browser_login(page, finance_officer)
    page.goto(unit_url)
    for code, value in (("1.1", "4"), ("1.2", "2"), ("2", "4")):
        form = page.locator(f"form[data-testid='self-{code}']")
        form.locator("select[name=answer]").select_option("yes")
        form.locator("input[name=self_score]").fill(value)
        if code == "2":
            form.locator("textarea[name=self_explanation]").fill("Trang công khai đang được nâng cấp")
        _submit(page, form.locator("button[type=submit]"))
    article = page.locator("[data-testid='criterion-1.1']")
    article.locator("summary", has_text="Thêm tài liệu kiểm chứng").click()
    article.locator("form[data-testid='upload-1.1'] input[name=file]").set_input_files(
        files=[_pdf_payload("qd-ke-hoach.pdf")]
    )
    article.locator("form[data-testid='upload-1.1'] input[name=location]").fill("trang 1")
    _submit(page, article.locator("form[data-testid='upload-1.1'] button"))
    article = page.locator("[data-testid='criterion-1.2']")
    article.locator("summary", has_text="Thêm tài liệu kiểm chứng").click()
    article.locator("form[data-testid='link-1.2'] select[name=task_evidence]").select_option(str(evidence.pk))
    article.locator("form[data-testid='link-1.2'] input[name=location]").fill("mục II")
    _submit(page, article.locator("form[data-testid='link-1.2'] button"))
    assert ScoreEvidence.objects.filter(score__assessment=assessment).count() == 2
    page.screenshot(path=str(artifacts_dir / "assessments-self-1366.png"), full_page=True)
    page.set_input_files("input[name=signed_report]", files=[_pdf_payload("bao-cao-tu-danh-gia.pdf")])
    _submit(page, "[data-testid=submit] button[type=submit]")
    page.wait_for_selector("[data-testid=submitted]")
    _logout(page)

    browser_login(page, province_admin)
    _close_stage(page, round_url, round_.pk, Stage.APPRAISAL_1)
    _logout(page)

    # The justice department's appraiser lowers 1.1 with a note and asks for an explanation.
    browser_login(page, appraiser)
    page.goto(round_url)
    _submit(page, "[data-testid=my-areas] a")
    page.select_option("select[name=unit]", str(assessment.pk))
    _submit(page, "form.filters button")
    form = page.locator("form[data-testid='appraisal-1.1']")
    form.locator("input[name=appraised_score]").fill("3")
    form.locator("textarea[name=appraisal_note]").fill("Kế hoạch ban hành chậm 10 ngày")
    form.locator("textarea[name=internal_note]").fill("Đối chiếu ngày ký với sổ văn bản")
    _submit(page, form.locator("button[type=submit]"))
    page.fill(
        "[data-testid=ask-explanation] textarea[name=text]",
        "Đề nghị giải trình việc ban hành kế hoạch chậm (tiêu chí 1.1)",
    )
    _submit(page, "[data-testid=ask-explanation] button[type=submit]")
    page.wait_for_selector("[data-testid=request]")
    page.screenshot(path=str(artifacts_dir / "assessments-appraisal-1366.png"), full_page=True)
    _logout(page)

    browser_login(page, province_admin)
    _close_stage(page, round_url, round_.pk, Stage.EXPLANATION)
    _logout(page)

    # The department explains.
    browser_login(page, finance_officer)
    page.goto(unit_url)
    body = page.inner_text("main")
    assert "Kế hoạch ban hành chậm 10 ngày" in body and "Đối chiếu ngày ký" not in body
    form = page.locator("form[data-testid='explain-1.1']")
    form.locator("textarea").fill("Kế hoạch chờ ý kiến góp ý của Sở Nội vụ; có văn bản xin ý kiến kèm theo")
    _submit(page, form.locator("button"))
    _submit(page, "[data-testid=send-explanation] button")
    _logout(page)

    browser_login(page, province_admin)
    _close_stage(page, round_url, round_.pk, Stage.APPRAISAL_2)
    _logout(page)

    # Second appraisal: the explanation is accepted in part.
    browser_login(page, appraiser)
    page.goto(f"{base}/assessments/round/{round_.pk}/appraise/{area1.pk}/?unit={assessment.pk}")
    assert "chờ ý kiến góp ý" in page.inner_text("[data-testid='appraise-1.1']")
    form = page.locator("form[data-testid='appraisal-1.1']")
    form.locator("input[name=appraised_score]").fill("3,5")
    _submit(page, form.locator("button[type=submit]"))
    _logout(page)
    assert Score.objects.get(assessment=assessment, criterion__code="1.1").appraised_score == 3.5

    # The secretary finalises and publishes.
    browser_login(page, province_admin)
    _close_stage(page, round_url, round_.pk, Stage.FINALISING)
    page.goto(round_url)
    page.fill("input[name=decision_number]", "1234/QĐ-UBND")
    page.fill("input[name=decision_date]", "2026-12-28")
    page.fill("input[name=signer]", "Phó Chủ tịch UBND tỉnh")
    _submit(page, "[data-testid=publish] button[type=submit]")
    page.wait_for_selector("[data-testid=results]")
    results = page.inner_text("[data-testid=results]")
    assert "Sở Tài chính" in results and "95,00%" in results
    page.screenshot(path=str(artifacts_dir / "assessments-results-1366.png"), full_page=True)
    _logout(page)

    # The leader sees the department's rank and percent on the ranking page and the dashboard.
    browser_login(page, leader)
    round_.refresh_from_db()
    page.goto(f"{base}/indices/{round_.index_edition.index.code}/2026/")
    row = page.locator("[data-testid=ranking-table] tr", has_text="Sở Tài chính").inner_text()
    assert row.split()[0] == "1" and "95,00%" in row
    page.goto(f"{base}/dashboard/")
    own = page.locator("[data-testid=own-index] tr", has_text="Sở Tài chính").inner_text()
    assert "1/2" in own and "95,00%" in own  # the justice department, which scored nothing, is 2/2
