from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Role, User
from audit.log import record_change
from audit.models import AuditAction, AuditSource
from ops.invitations import invitation_send
from provinces.models import AdministrativeUnit


class Command(BaseCommand):
    help = (
        "Create a province administrator (Department of Home Affairs) for a current province and e-mail "
        "them a link to choose their password; the link is also printed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", required=True, help="Current province code, e.g. 52 (Gia Lai).")
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--base-url", help="The portal's address for the link (default PORTAL_URL).")

    def handle(self, *args, province, username, email, first_name, last_name, base_url, **options):
        unit = AdministrativeUnit.objects.provinces().current().filter(code=province).first()
        if unit is None:
            raise CommandError(f"No current province with code {province!r}; run `manage.py load_reference` first.")
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        with transaction.atomic():
            user = User(
                username=username,
                email=email,
                first_name=first_name,
                last_name=last_name,
                role=Role.PROVINCE_ADMIN,
                is_staff=True,
            )
            user.set_unusable_password()
            user.full_clean(exclude=["password"])
            user.save()
            user.units.set([unit])
            record_change(user, actor=None, action=AuditAction.CREATE, after={"username": username, "role": user.role,
                          "province": unit.code}, source=AuditSource.COMMAND, note="create_province_admin")  # fmt: skip
        url = invitation_send(user, base_url=base_url)
        self.stdout.write(f"Created {username}, province administrator of {unit.name}.")
        self.stdout.write(f"Link to choose the password (also e-mailed to {email}): {url}")
