"""Signing in (password, then the second factor; enrolment on the first sign-in), the lockout page, the
account page (recent sign-ins, sessions, API tokens, recovery codes) and password reset by e-mail."""

import time

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.forms import CodeForm, EnrolForm, TokenForm
from accounts.lockout import locked_until
from accounts.models import SignInEvent
from complaints.services.access import role_of

PENDING = "accounts_pending"
BACKEND = "django.contrib.auth.backends.ModelBackend"


# --- Step one: the password ----------------------------------------------------------------------------------


class SignInView(auth_views.LoginView):
    """The password step. A right password does not sign in yet: it opens the second step for a few minutes.
    `next` is kept only when it points into this site (LoginView's own check)."""

    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        # A new session key before anything is tied to it (no fixation through the pending step).
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user": user.pk,
            "at": time.time(),
            "next": self.get_redirect_url(),
        }
        return redirect("accounts:verify" if services.is_enrolled(user) else "accounts:enrol")


def _pending_user(request):
    pending = request.session.get(PENDING) or {}
    if not pending or time.time() - pending.get("at", 0) > settings.POSKO_2FA_PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    return get_user_model().objects.filter(pk=pending["user"], is_active=True).first()


def _landing(request, user, pending_next: str) -> str:
    if pending_next:
        return pending_next
    return reverse("admin:index") if role_of(user) == "admin" else reverse(settings.LOGIN_REDIRECT_URL)


def _complete(request, user, device) -> str:
    """Sign in, verified by `device`; returns where to go next."""
    target = _landing(request, user, (request.session.get(PENDING) or {}).get("next", ""))
    request.session.pop(PENDING, None)
    user.otp_device = device  # django_otp stores it in the session on user_logged_in
    login(request, user, backend=BACKEND)
    return target


def _start_again(request):
    messages.info(request, _("Sign in again: the second step waits only a few minutes."))
    return redirect("staff:login")


# --- Step two: the code ------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def verify(request):
    user = _pending_user(request)
    if user is None:
        return _start_again(request)
    if not services.is_enrolled(user):
        return redirect("accounts:enrol")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device = services.second_factor_verify(user, form.cleaned_data["code"])
        except services.CodeThrottled as exc:
            device = None
            form.add_error("code", _throttled_message(exc))
        else:
            if device is None:
                form.add_error("code", _("That code is not right."))
        if device is not None:
            target = _complete(request, user, device)
            if device.__class__.__name__ == "StaticDevice":
                messages.warning(
                    request,
                    _("You used a recovery code; %(n)d left. Make new ones on your account page.")
                    % {"n": services.recovery_codes_left(user)},
                )
            return redirect(target)
        services.sign_in_record(user=user, request=request, outcome=SignInEvent.Outcome.BAD_CODE)
        status = 400
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/verify.html", {"form": form, "pending_user": user}, status=status)


def _throttled_message(exc: services.CodeThrottled) -> str:
    if exc.until:
        return _("Too many wrong codes. Try again after %(time)s.") % {
            "time": timezone.localtime(exc.until).strftime("%H:%M:%S")
        }
    return _("Too many wrong codes. Wait a moment and try again.")


@require_http_methods(["GET", "HEAD", "POST"])
def enrol(request):
    """First sign-in: set up an authenticator app (QR code and the secret as text), confirm it with a code,
    receive recovery codes once."""
    user = _pending_user(request)
    if user is None:
        return _start_again(request)
    if services.is_enrolled(user):
        return redirect("accounts:verify")
    device = services.enrolment_device(user)
    form = EnrolForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                codes = services.enrolment_confirm(user=user, device=device, code=form.cleaned_data["code"])
            except services.CodeThrottled as exc:
                form.add_error("code", _throttled_message(exc))
            except ValidationError as exc:
                form.add_error("code", exc.messages[0])
            else:
                device.refresh_from_db()
                target = _complete(request, user, device)
                return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": target})
    context = {
        "form": form,
        "qr_svg": services.qr_svg(device),
        "secret": services.secret_text(device),
        "pending_user": user,
    }
    return render(request, "accounts/enrol.html", context, status=status)


# --- Lockout ------------------------------------------------------------------------------------------------


def locked_out(request, original_response=None, credentials=None):
    """django-axes calls this when a sign-in is refused: 429 and when to try again."""
    until = locked_until(request, credentials)
    response = render(
        request,
        "accounts/locked_out.html",
        {"until": timezone.localtime(until) if until else None},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    if until:
        response["Retry-After"] = str(max(1, int((until - timezone.now()).total_seconds())))
    return response


# --- The account page ---------------------------------------------------------------------------------------


def _account(request, *, status=200, **extra):
    user = request.user
    sessions = services.sessions_active(user)
    for record in sessions:
        record.browser = services.browser_label(record.user_agent)
        record.current = record.session_key == request.session.session_key
    sign_ins = services.sign_ins_recent(user)
    for event in sign_ins:
        event.browser = services.browser_label(event.user_agent)
    context = {
        "sign_ins": sign_ins,
        "sessions": sessions,
        "tokens": services.tokens_of(user),
        "token_form": extra.pop("token_form", None) or TokenForm(),
        "recovery_left": services.recovery_codes_left(user),
        "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
        "max_hours": settings.POSKO_SESSION_MAX_SECONDS // 3600,
        **extra,
    }
    return render(request, "accounts/account.html", context, status=status)


@login_required
def account(request):
    return _account(request)


@login_required
@require_POST
def session_end(request, pk: int):
    if not services.session_end(user=request.user, pk=pk):
        messages.error(request, _("That session has already ended."))
    else:
        messages.success(request, _("The session was ended; that browser is signed out."))
    return redirect("accounts:account")


@login_required
@require_POST
def sessions_end_others(request):
    n = services.sessions_end_others(user=request.user, keep=request.session.session_key)
    messages.success(request, _("%(n)d other session(s) ended.") % {"n": n})
    return redirect("accounts:account")


@login_required
@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            token, secret = services.token_create(user=request.user, days=form.cleaned_data["days"])
        except ValidationError as exc:
            form.add_error("days", exc.messages[0])
        else:
            return _account(request, new_token=secret, new_token_expiry=token.expiry)
    return _account(request, token_form=form, status=400)


@login_required
@require_POST
def token_revoke(request):
    if services.token_revoke(user=request.user, token_key=request.POST.get("token_key", "")[:25]):
        messages.success(request, _("The token was revoked."))
    else:
        messages.error(request, _("No such token."))
    return redirect("accounts:account")


@login_required
@require_POST
def recovery_codes(request):
    codes = services.recovery_codes_new(user=request.user)
    return render(
        request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("accounts:account")}
    )


# --- Password reset and change (Django's views, our templates) ----------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    html_email_template_name = "accounts/email/password_reset.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # The new password came through the user's mailbox: earlier wrong guesses at the old one no longer
        # hold their name locked (the address's count stays).
        AxesProxyHandler.reset_attempts(username=form.user.get_username())
        services.sessions_end_others(user=form.user, keep=None)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form):
        response = super().form_valid(form)  # keeps this session signed in
        services.sessions_end_others(user=form.user, keep=self.request.session.session_key)
        messages.success(self.request, _("Your password was changed; your other sessions were ended."))
        return response
