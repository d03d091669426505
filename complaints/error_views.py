"""Friendly error pages and API answers (issue 10): each says what happened and what to do next, in the staff
layout for signed-in staff (with the way back to the case or the queue) and in the public layout for everyone
else; under /api/ the same words come as JSON. A workflow conflict that no view caught answers 409 with the
case's current state."""

import re

from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from complaints.models import Report, StaffProfile
from complaints.services import access

_CASE_PATH = re.compile(r"^/staf/kasus/(\d+)/")


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _staff_user(request):
    user = getattr(request, "user", None)
    return user if user is not None and access.role_of(user) else None


def _way_back(request, user) -> dict:
    """The case the user came from when they may see it, else the queue."""
    match = _CASE_PATH.match(request.path)
    if match:
        report = (
            access.reports_for_user(user).filter(pk=int(match.group(1))).only("id", "case_number").first()
        )
        if report is not None:
            from django.urls import reverse

            return {"back_url": reverse("staff:case", args=[report.pk]), "back_case": report}
    return {}


def _jurisdiction(user) -> str:
    codes = access.jurisdiction_codes(user)
    if codes is None:
        return _("all regions")
    from complaints.models import Region

    names = list(Region.objects.filter(code__in=codes).order_by("code").values_list("name", flat=True))
    return ", ".join(names) or _("no region yet")


def error_page(request, status: int, *, title: str, message: str, todo: str, extra: dict | None = None):
    """The page (or JSON) for an error: what happened (`message`) and what to do (`todo`)."""
    if _is_api(request):
        return JsonResponse(
            {"detail": message, "todo": todo, "status_code": status, **(extra or {})}, status=status
        )
    user = _staff_user(request)
    context = {
        "title": title,
        "message": message,
        "todo": todo,
        "status_code": status,
        "staff_error": user is not None,
        "layout": "complaints/staff/layout.html" if user is not None else "base.html",
        **(extra or {}),
    }
    if user is not None:
        context.update(_way_back(request, user))
        context["role_label"] = dict(StaffProfile.Role.choices).get(access.role_of(user), "")
        context["jurisdiction"] = _jurisdiction(user)
    response = TemplateResponse(request, f"{status}.html", context, status=status)
    response.render()
    return response


def bad_request(request, exception=None):
    return error_page(
        request,
        400,
        title=_("The request was not understood"),
        message=_("Something in what was sent could not be read, so nothing was changed."),
        todo=_("Go back, check what you entered and send it again."),
    )


def permission_denied(request, exception=None):
    detail = str(exception or "").strip()
    user = _staff_user(request)
    return error_page(
        request,
        403,
        title=_("Not allowed"),
        message=detail or _("You may not do this, so nothing was changed."),
        todo=_("If you need to, ask your coordinator or an admin for the right.")
        if user is not None
        else _("If you work for Posko, sign in first."),
    )


def page_not_found(request, exception=None):
    user = _staff_user(request)
    if user is not None:
        message = _(
            "There is nothing at this address, or it is outside your jurisdiction (%(regions)s): cases of other "
            "regions are not shown to you."
        ) % {"regions": _jurisdiction(user)}
        todo = _("Check the case number or tracking code with the search box above, or go back to the queue.")
    else:
        message = _("The page you asked for does not exist or is not available to you.")
        todo = _("To follow a report, use the tracking page with your tracking code and PIN.")
    return error_page(request, 404, title=_("Page not found"), message=message, todo=todo)


def csrf_failure(request, reason=""):
    return error_page(
        request,
        403,
        title=_("The form has expired"),
        message=_(
            "The form was sent from a page that is too old or was opened in another window, so nothing was saved."
        ),
        todo=_("Go back, reload the page and send the form again."),
    )


def conflict_page(request, current: str, message: str):
    label = dict(Report.Status.choices).get(current, current)
    return error_page(
        request,
        409,
        title=_("Someone else acted first"),
        message=message,
        todo=_("Look at the case as it is now, then decide again."),
        extra={"current_status": current, "current_status_label": label},
    )


class ConflictMiddleware:
    """Turns a workflow conflict that reached no handler into a 409 page with the case's current state."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from complaints.services.workflow import Conflict

        if isinstance(exception, Conflict):
            return conflict_page(request, exception.current, exception.message)
        return None
