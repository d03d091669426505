"""Staff accounts: the second factor (TOTP with recovery codes, through django-otp), the sign-in history, the
sessions a user can see and end, and API tokens (django-rest-knox: stored as SHA-512 digests, with expiry)."""

import base64
import datetime as dt
from binascii import unhexlify

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from ua_parser import parse as ua_parse

from accounts.models import SignedInSession, SignInEvent
from complaints.services.tracking import client_address

RECOVERY_CODES = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


def client_ip(request) -> str | None:
    """The client's address as the rest of Posko sees it (the tracking throttle's rule), or None."""
    return client_address(request) or None


def browser_label(user_agent: str) -> str:
    """'Chrome 120 on Linux' from a User-Agent string; the raw string's start when it is not recognised."""
    if not user_agent:
        return "—"
    parsed = ua_parse(user_agent)
    agent, system = parsed.user_agent, parsed.os
    if agent is None:
        return user_agent[:60]
    name = f"{agent.family} {agent.major}" if agent.major else agent.family
    return f"{name} · {system.family}" if system and system.family != "Other" else name


def _user_agent(request) -> str:
    return (request.META.get("HTTP_USER_AGENT") or "")[:300]


# --- The second factor ---------------------------------------------------------------------------------------


class CodeThrottled(Exception):
    """Too many wrong codes in a row: django-otp's exponential back-off refuses codes until `until`."""

    def __init__(self, until: dt.datetime | None):
        super().__init__(until)
        self.until = until


def totp_device_of(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def is_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def enrolment_device(user) -> TOTPDevice:
    """The device being enrolled: the user's unconfirmed TOTP device, made on first call so that reloading the
    enrolment page keeps the same secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed: base32, in groups of four."""
    b32 = base64.b32encode(unhexlify(device.key)).decode().rstrip("=")
    return " ".join(b32[i : i + 4] for i in range(0, len(b32), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code, drawn on the server (no script, no third party)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    return svg[svg.index("<svg") :]  # drop the XML declaration: it is embedded in HTML


def _normalise(code: str) -> str:
    return "".join((code or "").split()).lower()[:32]


def second_factor_verify(user, code: str):
    """The device that accepts `code` (the authenticator's 6 digits, or a recovery code, used up by its use),
    or None. Raises CodeThrottled while django-otp's back-off refuses the authenticator's codes."""
    code = _normalise(code)
    if not code:
        return None
    with transaction.atomic():
        if code.isdigit() and len(code) == 6:
            for device in TOTPDevice.objects.filter(user=user, confirmed=True).select_for_update():
                allowed, info = device.verify_is_allowed()
                if not allowed:
                    raise CodeThrottled((info or {}).get("locked_until"))
                if device.verify_token(code):
                    return device
            return None
        for device in StaticDevice.objects.filter(user=user, confirmed=True).select_for_update():
            if device.verify_token(code):
                return device
    return None


def enrolment_confirm(*, user, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the authenticator with a first code from it; returns fresh recovery codes (shown once)."""
    code = _normalise(code)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        allowed, info = device.verify_is_allowed()
        if not allowed:
            raise CodeThrottled((info or {}).get("locked_until"))
        if not code.isdigit() or not device.verify_token(code):
            raise ValidationError(_("That code is not right. Check the clock of your phone and try again."))
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # One authenticator per user: older ones go.
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        return recovery_codes_new(user=user)


def recovery_codes_new(*, user) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODES new ones; each works once."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def second_factor_reset(*, user) -> None:
    """Forget a user's authenticator and recovery codes (an admin's act when a phone is lost): sessions that
    were verified with them stop working, and the user enrols again at the next sign-in."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def session_mark_verified(session, device) -> None:
    """What django_otp.login stores: the session is verified by this device."""
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id


# --- Sign-in history ------------------------------------------------------------------------------------------


def sign_in_record(*, user, request, outcome: str) -> SignInEvent:
    return SignInEvent.objects.create(
        user=user,
        outcome=outcome,
        ip_address=client_ip(request) if request is not None else None,
        user_agent=_user_agent(request) if request is not None else "",
    )


def sign_ins_recent(user, *, limit: int = 20) -> list[SignInEvent]:
    return list(SignInEvent.objects.filter(user=user)[:limit])


# --- Sessions -------------------------------------------------------------------------------------------------


def session_register(*, user, request) -> None:
    """Remember that this browser session belongs to `user` (called when they sign in)."""
    key = request.session.session_key
    if not key:
        request.session.save()
        key = request.session.session_key
    SignedInSession.objects.update_or_create(
        session_key=key,
        defaults={"user": user, "ip_address": client_ip(request), "user_agent": _user_agent(request)},
    )


def session_forget(session_key: str | None) -> None:
    if session_key:
        SignedInSession.objects.filter(session_key=session_key).delete()


def sessions_active(user) -> list[SignedInSession]:
    """The user's sessions that are still alive, newest activity first, each with `last_activity`. Records of
    sessions that expired or were ended elsewhere are dropped on the way."""
    records = list(SignedInSession.objects.filter(user=user))
    alive = dict(
        Session.objects.filter(
            session_key__in=[r.session_key for r in records], expire_date__gt=timezone.now()
        ).values_list("session_key", "expire_date")
    )
    dead = [r.pk for r in records if r.session_key not in alive]
    if dead:
        SignedInSession.objects.filter(pk__in=dead).delete()
    idle = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    live = [r for r in records if r.session_key in alive]
    for record in live:
        record.last_activity = alive[record.session_key] - idle
    return sorted(live, key=lambda r: r.last_activity, reverse=True)


def session_end(*, user, pk: int) -> bool:
    """End one of the user's own sessions (signs that browser out). False when it is not theirs or gone."""
    record = SignedInSession.objects.filter(user=user, pk=pk).first()
    if record is None:
        return False
    with transaction.atomic():
        Session.objects.filter(session_key=record.session_key).delete()
        record.delete()
    return True


def sessions_end_others(*, user, keep: str | None) -> int:
    records = SignedInSession.objects.filter(user=user).exclude(session_key=keep or "")
    keys = list(records.values_list("session_key", flat=True))
    with transaction.atomic():
        Session.objects.filter(session_key__in=keys).delete()
        records.delete()
    return len(keys)


# --- API tokens -----------------------------------------------------------------------------------------------


def tokens_of(user) -> list[AuthToken]:
    """The user's tokens that have not expired, newest first (expired ones are deleted on the way, as knox does
    when one is used)."""
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    return list(AuthToken.objects.filter(user=user).order_by("-created"))


def token_create(*, user, days: int) -> tuple[AuthToken, str]:
    """A new token for the staff API, valid `days` days. The database keeps only its SHA-512 digest and its
    first characters (to find it); the token itself is returned once, to be shown once."""
    limit_days = settings.POSKO_API_TOKEN_MAX_DAYS
    if not 1 <= days <= limit_days:
        raise ValidationError(_("A token is valid for 1 to %(n)d days.") % {"n": limit_days})
    live = AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).count()
    if live >= settings.POSKO_API_TOKENS_PER_USER:
        raise ValidationError(_("You have as many tokens as allowed: revoke one first."))
    return AuthToken.objects.create(user=user, expiry=dt.timedelta(days=days))


def token_revoke(*, user, token_key: str) -> bool:
    deleted, _info = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    return bool(deleted)
