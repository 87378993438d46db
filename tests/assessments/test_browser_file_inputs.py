"""File inputs read Vietnamese on an English browser, and the round's units table keeps its cells on one line
at phone width.

Chromium draws a file input's button and "no file" text in the browser's language ("Choose File", "No file
chosen"), whatever the page's language. static/js/portal.js lays a translated button and the chosen name(s)
over the real input, which stays transparent on top (clicked, focused, validated and submitted as before)."""

import pytest

from assessments.models import ScoreEvidence, Stage
from assessments.scoring import round_open

from .conftest import make_task_file, pdf_upload

ENGLISH_WORDS = ("Choose File", "Choose file", "No file chosen", "No file selected")

# For each enhanced file input: its opacity, whether it covers the translated button, the button's and the
# name's text, and whether the input is still the element of its label.
FILE_INPUTS = """() => [...document.querySelectorAll('input[type=file]')].map(input => {
  const wrap = input.closest('.filepick');
  if (!wrap) return {enhanced: false, name: input.name};
  const a = input.getBoundingClientRect(), b = wrap.querySelector('.filepick-button').getBoundingClientRect();
  return {enhanced: true, name: input.name, opacity: getComputedStyle(input).opacity,
          covers: a.left <= b.left + 0.5 && a.right >= b.right - 0.5 && a.top <= b.top + 0.5 && a.bottom >= b.bottom - 0.5,
          button: wrap.querySelector('.filepick-button').textContent, chosen: wrap.querySelector('.filepick-name').textContent,
          labelled: input.labels.length > 0 || input.hasAttribute('aria-label')};
})"""

# For each cell of the units table but the unit's name: is its text on one line? (Every piece of text overlaps
# every other vertically; a cell broken letter by letter has pieces one under another.)
UNIT_CELLS_ONE_LINE = """() => [...document.querySelectorAll('[data-testid=units] tr')].map(tr =>
  [...tr.children].slice(1).map(cell => {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT), rects = [];
    while (walker.nextNode()) {
      const range = document.createRange(); range.selectNodeContents(walker.currentNode);
      rects.push(...[...range.getClientRects()].filter(r => r.width > 0));
    }
    return Math.max(...rects.map(r => r.top)) < Math.min(...rects.map(r => r.bottom)); }))"""


@pytest.fixture
def browser_context_args(browser_context_args):
    """An English browser: the native file input would say "Choose File" / "No file chosen"."""
    return {**browser_context_args, "locale": "en-US", "extra_http_headers": {"Accept-Language": "en-US,en;q=0.9"}}


def _vietnamese(page):
    """The page is in Vietnamese (the portal's default, whatever the browser asks for)."""
    assert page.locator("html").get_attribute("lang") == "vi"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_evidence_upload_reads_vietnamese_and_still_sends_the_file(page, live_server, browser_login, round_,
                                                                      finance, finance_officer, artifacts_dir):  # fmt: skip
    assessment = round_.assessments.get(agency=finance)
    browser_login(page, finance_officer)
    page.goto(f"{live_server.url}/assessments/unit/{assessment.pk}/")
    _vietnamese(page)
    article = page.locator("[data-testid='criterion-1.1']")
    article.locator("summary", has_text="Thêm tài liệu kiểm chứng").click()
    form = article.locator("form[data-testid='upload-1.1']")
    inputs = page.evaluate(FILE_INPUTS)
    assert inputs and all(i["enhanced"] for i in inputs), inputs
    for i in inputs:
        assert i["opacity"] == "0" and i["covers"] and i["labelled"], i
        assert (i["button"], i["chosen"]) == ("Chọn tệp", "Chưa chọn tệp"), i
    text = page.inner_text("body")
    assert not [w for w in ENGLISH_WORDS if w in text]
    file_input = form.get_by_label("Tệp (PDF, Word, Excel, ảnh)")  # the label still names the real input
    assert file_input.get_attribute("type") == "file"

    # Required: an empty upload is stopped by the browser, nothing is sent.
    form.locator("button[type=submit]").click()
    assert file_input.evaluate("el => el.validity.valueMissing") is True
    assert ScoreEvidence.objects.count() == 0

    # Keyboard: the real input takes the focus and the button shows it.
    file_input.focus()
    assert file_input.evaluate("el => document.activeElement === el")
    assert form.locator(".filepick-button").evaluate("el => getComputedStyle(el).outlineStyle") == "solid"

    file_input.set_input_files(files=[{"name": "qd-ke-hoach.pdf", "mimeType": "application/pdf",
                                       "buffer": pdf_upload().read()}])  # fmt: skip
    assert form.locator(".filepick-name").inner_text() == "qd-ke-hoach.pdf"
    form.screenshot(path=str(artifacts_dir / "file-input-chosen.png"))
    form.locator("input[name=location]").fill("trang 1")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    evidence = ScoreEvidence.objects.get(score__assessment=assessment)
    assert evidence.original_name == "qd-ke-hoach.pdf" and evidence.location == "trang 1"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_several_files_list_their_names(page, live_server, browser_login, province, finance, finance_officer):
    """The task progress form takes several evidence files (a Django form: PortalMultipleFileInput)."""
    task = make_task_file(province, finance).task
    browser_login(page, finance_officer)
    page.goto(f"{live_server.url}/plans/tasks/{task.pk}/update/")
    _vietnamese(page)
    files = page.get_by_label("Tài liệu kiểm chứng")
    assert files.get_attribute("multiple") is not None
    pick = page.locator(".filepick").filter(has=page.locator("input[name=files]"))
    assert pick.locator(".filepick-button").inner_text() == "Chọn tệp"
    assert pick.locator(".filepick-name").inner_text() == "Chưa chọn tệp"
    payload = pdf_upload().read()
    files.set_input_files(files=[{"name": n, "mimeType": "application/pdf", "buffer": payload}
                                 for n in ("bien-ban.pdf", "quyet-dinh.pdf")])  # fmt: skip
    assert pick.locator(".filepick-name").inner_text() == "bien-ban.pdf, quyet-dinh.pdf"
    assert not [w for w in ENGLISH_WORDS if w in page.inner_text("body")]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1366, 390])
def test_the_round_units_table_keeps_cells_on_one_line(page, live_server, browser_login, make_agency, province,
                                                       methodology, criteria, agency, home_affairs, finance,
                                                       far_deadlines, province_admin, artifacts_dir, width):  # fmt: skip
    """At 390 px the figures and the short headers broke letter by letter ("0/2 0", "Đã ch ấm"): they stay
    whole and the table scrolls sideways in its own box; the page itself does not."""
    for name in ("Trung tâm Phục vụ hành chính công tỉnh", "Văn phòng Ủy ban nhân dân tỉnh", "Ban Quản lý Khu kinh tế"):
        make_agency(province, name)
    round_ = round_open(methodology, deadlines=far_deadlines)
    round_.stage = Stage.SELF
    round_.save()
    page.set_viewport_size({"width": width, "height": 900})
    browser_login(page, province_admin)
    page.goto(f"{live_server.url}/assessments/round/{round_.pk}/")
    _vietnamese(page)
    page.screenshot(path=str(artifacts_dir / f"assessments-round-{width}.png"), full_page=True)
    rows = page.evaluate(UNIT_CELLS_ONE_LINE)
    assert len(rows) >= 7 and all(all(row) for row in rows), rows
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    survey = page.evaluate(FILE_INPUTS)
    assert [(i["enhanced"], i["button"], i["chosen"], i["labelled"]) for i in survey] == [
        (True, "Chọn tệp", "Chưa chọn tệp", True)
    ]
