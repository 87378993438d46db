from dossiers.forms import UploadForm
from dossiers.models import ImportSource


def test_the_upload_form_offers_national_mappings_and_the_users_province_only(province_admin, province, other_province):
    national = ImportSource.objects.create(name="Mẫu quốc gia")
    own = ImportSource.objects.create(name="Một cửa Gia Lai", province=province)
    ImportSource.objects.create(name="Một cửa Khánh Hòa", province=other_province)
    form = UploadForm(province_admin)
    assert set(form.fields["source"].queryset) == {national, own}
    bound = UploadForm(province_admin, data={"province": province.pk, "source": own.pk + 1})
    bound.is_valid()
    assert "source" in bound.errors
