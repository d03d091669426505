"""The first administrator of a new deployment (and any later one): a user with the Admin role, made through
the staff service like every other staff account, never a Django superuser (issue 9: /admin/ is the Admin
role's door, and the role holds no case permissions).

    python manage.py admin_create                              # asks for everything
    python manage.py admin_create --username admin --email it@bawaslu.example   # asks for the password
    POSKO_ADMIN_PASSWORD=... python manage.py admin_create --username admin --email it@... --no-input

The password goes through Django's validators (12 characters at least). The second factor is enrolled by the
admin at the first sign-in: the command prints where."""

import getpass
import os

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse

from complaints.models import StaffProfile
from complaints.services.staff import staff_save

PASSWORD_VARIABLE = "POSKO_ADMIN_PASSWORD"


class Command(BaseCommand):
    help = "Create an administrator (the Admin role) and print how to enrol the authenticator app."

    def add_arguments(self, parser):
        parser.add_argument("--username", help="the sign-in name")
        parser.add_argument("--email", help="for password resets")
        parser.add_argument(
            "--no-input",
            action="store_true",
            help=f"ask nothing: the password comes from the environment variable {PASSWORD_VARIABLE}",
        )

    def _ask(self, label: str, given: str | None, no_input: bool) -> str:
        if given:
            return given.strip()
        if no_input:
            raise CommandError(f"--{label} is required with --no-input")
        return input(f"{label.capitalize()}: ").strip()

    def _password(self, user: User, no_input: bool) -> str:
        password = os.environ.get(PASSWORD_VARIABLE, "")
        if not password:
            if no_input:
                raise CommandError(f"set {PASSWORD_VARIABLE} with --no-input")
            password = getpass.getpass("Password (12 characters at least): ")
            if password != getpass.getpass("Password again: "):
                raise CommandError("the two passwords differ")
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        return password

    def handle(self, *args, username=None, email=None, no_input=False, **options):
        username = self._ask("username", username, no_input)
        email = self._ask("email", email, no_input)
        if not username:
            raise CommandError("a user name is required")
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"not an e-mail address: {email!r}") from None
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"a user named {username!r} exists already: give the role on /admin/ instead")
        user = User(username=username, email=email)
        password = self._password(user, no_input)
        with transaction.atomic():
            user.set_password(password)
            user.save()
            staff_save(user=user, role=StaffProfile.Role.ADMIN, regions=[])
        from django.conf import settings

        site = settings.POSKO_SITE_URL.rstrip("/") or "https://<your portal>"
        self.stdout.write(
            self.style.SUCCESS(f"Administrator {username!r} created (role Admin, not a superuser).")
            + "\nTo finish, the administrator signs in once and enrols an authenticator app (TOTP):\n"
            f"  1. open {site}{reverse('staff:login')} and sign in with this name and password;\n"
            f"  2. {site}{reverse('accounts:enrol')} shows a QR code: scan it with an authenticator app\n"
            "     (FreeOTP, Aegis, Google Authenticator ...) and type the 6-digit code it shows;\n"
            "  3. keep the ten recovery codes shown once, somewhere offline.\n"
            f"Then {site}{reverse('admin:index')} is open to them; staff accounts are invited from "
            f"{site}{reverse('staff:users')}.\n"
        )
