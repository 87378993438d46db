"""Django's own messages that its Vietnamese catalogue lacks (Django 5.2), translated in locale/vi.

Nothing imports this module for behaviour: the marked strings only put the exact msgids of Django's
validators and constraints into the project catalogue, which Django consults first, so these messages
reach users in Vietnamese instead of English.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

PLURAL = [
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "n",
    ),
]

SINGULAR = [
    gettext_noop("Constraint “%(name)s” is violated."),
    gettext_noop("File extension “%(extension)s” is not allowed. Allowed extensions are: %(allowed_extensions)s."),
    gettext_noop("“%(value)s” value has an invalid date format. It must be in YYYY-MM-DD format."),
    gettext_noop("“%(value)s” value has the correct format (YYYY-MM-DD) but it is an invalid date."),
    gettext_noop("Enter a valid JSON."),
    gettext_noop("Enter a valid duration."),
]
