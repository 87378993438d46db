"""Criterion evidence, task evidence and report attachments share one stored-file model and one set of checks."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from assessments.models import Score, ScoreEvidence
from assessments.scoring import evidence_link, evidence_upload

from .conftest import make_task_file, pdf_upload


@pytest.fixture
def finance_score(round_, finance):
    return Score.objects.get(assessment__agency=finance, criterion__code="1.1")


def test_an_uploaded_criterion_file_keeps_its_name_type_size_and_digest(finance_score, finance_officer):
    upload = pdf_upload("bao-cao-tu-danh-gia.pdf")
    content = upload.read()
    evidence = evidence_upload(finance_score, actor=finance_officer, upload=upload, location="trang 3")
    evidence.refresh_from_db()
    assert (evidence.original_name, evidence.content_type, evidence.size) == (
        "bao-cao-tu-danh-gia.pdf",
        "application/pdf",
        len(content),
    )
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.stored_file.open("rb").read() == content


def test_a_linked_task_file_carries_that_files_metadata(finance_score, finance_officer, province, finance):
    task_file = make_task_file(province, finance)
    evidence = evidence_link(finance_score, actor=finance_officer, task_evidence=task_file)
    evidence.refresh_from_db()
    assert not evidence.file
    assert (evidence.original_name, evidence.content_type, evidence.size, evidence.sha256) == (
        task_file.original_name,
        task_file.content_type,
        task_file.size,
        task_file.sha256,
    )
    assert evidence.previewable
    assert evidence.stored_file.name == task_file.file.name


def test_a_fake_pdf_is_refused_with_the_same_vietnamese_message_as_task_evidence(finance_score, finance_officer):
    fake = SimpleUploadedFile("gia.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with translation.override("vi"), pytest.raises(ValidationError) as exc:
        evidence_upload(finance_score, actor=finance_officer, upload=fake)
    assert exc.value.messages == ["Nội dung “gia.pdf” không đúng định dạng .pdf."]
    assert not ScoreEvidence.objects.exists()


def test_sizes_read_in_vietnamese(finance_score, finance_officer):
    evidence = ScoreEvidence(score=finance_score, size=1536)
    with translation.override("vi"):
        assert evidence.size_display == "1,5\xa0KB"  # Django keeps number and unit together
