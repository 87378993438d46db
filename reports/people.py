"""Who hears about a report: the unit's officers, the province's Home Affairs staff."""

from django.contrib.auth import get_user_model

from accounts.models import Role


def officers_of(agency_id: int):
    return get_user_model().objects.filter(agencies=agency_id, role=Role.AGENCY_OFFICER, is_active=True)


def reviewers_of(province_id: int):
    return get_user_model().objects.filter(units=province_id, role=Role.PROVINCE_ADMIN, is_active=True)
