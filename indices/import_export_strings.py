"""django-import-export ships no Vietnamese catalogue: its strings shown on the score import
screens are listed here so `make messages` keeps their Vietnamese in this app's catalogue
(Django merges every app's catalogue, so the library's own `{% translate %}` finds them)."""

from django.utils.translation import gettext_noop

STRINGS = [
    gettext_noop("File to import"),
    gettext_noop("Format"),
    gettext_noop("Resource"),
    gettext_noop("Import"),
    gettext_noop("Submit"),
    gettext_noop("Confirm import"),
    gettext_noop("Preview"),
    gettext_noop("New"),
    gettext_noop("Update"),
    gettext_noop("Delete"),
    gettext_noop("Skipped"),
    gettext_noop("Errors"),
    gettext_noop("Line number"),
    gettext_noop("Row"),
    gettext_noop("Non field specific"),
    gettext_noop("Some rows failed to validate"),
    gettext_noop("Please correct these errors in your data where possible, then reupload it using the form above."),
    gettext_noop(
        "Below is a preview of data to be imported. If you are satisfied with the results, click 'Confirm import'"
    ),
    gettext_noop("This importer will import the following fields: "),
    gettext_noop("Import finished: {} new, {} updated, {} deleted and {} skipped {}."),
]
