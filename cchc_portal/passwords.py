"""Changing one's password: the rules' messages sit under the new password, one per line."""

from django.contrib.auth import forms as auth_forms


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def validate_password_for_user(self, user, password_field_name="new_password1", **kwargs):
        # Django reports the password rules under the confirmation field; they are about the new password.
        super().validate_password_for_user(user, password_field_name="new_password1", **kwargs)
