"""Every file input of the portal carries its translated button and "no file" text (static/js/portal.js shows
them over the real input); without JavaScript it is a plain native input."""

import re
from pathlib import Path

from django import forms
from django.template.loader import render_to_string
from django.utils import translation

from cchc_portal.widgets import PortalFileField, PortalFileInput, PortalMultipleFileInput

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "staticfiles", "node_modules", ".git", "tests"}


class _Form(forms.Form):
    one = PortalFileField(label="Tệp")
    many = forms.FileField(widget=PortalMultipleFileInput(attrs={"accept": ".pdf"}), required=False)


def test_the_widget_renders_a_plain_input_with_the_words_in_the_page_language():
    with translation.override("vi"):
        html = str(_Form()["one"]) + str(_Form()["many"])
    assert 'type="file" name="one"' in html and " required" in html
    assert html.count('data-file-button="Chọn tệp"') == 2 and html.count('data-file-empty="Chưa chọn tệp"') == 2
    assert 'accept=".pdf" multiple id="id_many"' in html
    with translation.override("en"):
        assert 'data-file-button="Choose file"' in PortalFileInput().render("f", None)


def test_the_template_include_matches_the_widget():
    with translation.override("vi"):
        html = render_to_string("includes/file_input.html", {"name": "attachment", "id": "id_attachment"})
    assert html.strip() == (
        '<input type="file" name="attachment" id="id_attachment" data-file-button="Chọn tệp"'
        ' data-file-empty="Chưa chọn tệp">'
    )


def test_no_file_input_is_written_by_hand_or_left_to_the_default_widget():
    """A template writes its file inputs with includes/file_input.html; a form uses PortalFileField or a
    Portal*FileInput widget (the Django admin keeps its own)."""
    found = []
    for path in ROOT.rglob("*"):
        if SKIP & set(path.relative_to(ROOT).parts) or path.suffix not in {".html", ".py"} or "admin" in path.name:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        if path.suffix == ".html" and path.name != "file_input.html" and re.search(r'type=["\']?file', text):
            found.append(str(path.relative_to(ROOT)))
        if path.suffix == ".py" and "forms" in path.name:
            pattern = r"forms\.(FileField|FileInput|ClearableFileInput)\("
            found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert found == []
