"""The coordinators' daily digest: overdue cases in their jurisdiction, by e-mail."""

from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from complaints.models import StaffProfile
from complaints.selectors.cases import overdue_for_digest


def coordinator_digest(*, today=None) -> int:
    """Send each coordinator with an e-mail address the list of overdue cases they cover. Returns how many
    e-mails were sent; coordinators with nothing overdue get none."""
    today = today or timezone.localdate()
    sent = 0
    coordinators = User.objects.filter(is_active=True, posko__role=StaffProfile.Role.KOORDINATOR).exclude(
        email=""
    )
    for user in coordinators:
        cases = list(overdue_for_digest(user, today)[:200])
        if not cases:
            continue
        with translation.override("id"):
            context = {"user": user, "cases": cases, "today": today}
            send_mail(
                subject=render_to_string("emails/digest_subject.txt", context).strip(),
                message=render_to_string("emails/digest.txt", context),
                html_message=render_to_string("emails/digest.html", context),
                from_email=None,
                recipient_list=[user.email],
            )
        sent += 1
    return sent
