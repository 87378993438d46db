from django import forms
from django.utils.translation import gettext_lazy as _


class VnDateInput(forms.DateInput):
    """Day-first text date (20/9/2019), the way staff write dates."""

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric", **(attrs or {})}, format="%d/%m/%Y"
        )
