from django import template

from audit.history import history_rows as _history_rows

register = template.Library()


@register.simple_tag
def history_rows(events):
    """`{% history_rows events as rows %}`: audit events rendered for people (audit.history)."""
    return _history_rows(events)
