"""The export panels other apps' pages pull in with one {% include %} line: on the case page and the queue."""

from django import template

from exports import selectors, services
from exports.views import CaseExportForm, RecapExportForm

register = template.Library()


@register.inclusion_tag("exports/_case_panel_body.html", takes_context=True)
def case_export_panel(context, report):
    request = context["request"]
    user = request.user
    allowed = services.can_export_case(user)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "report": report,
        "allowed": allowed,
        "can_identity": allowed and services.can_include_identity(user),
        "form": CaseExportForm(),
        "exports": selectors.exports_of_case(user, report) if allowed else [],
    }


@register.inclusion_tag("exports/_queue_recap_body.html", takes_context=True)
def queue_recap_button(context):
    request = context["request"]
    filters = [(k, v) for k, v in request.GET.items() if k != "page" and v]
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "allowed": services.can_export_recap(request.user),
        "filters": filters,
        "form": RecapExportForm(),
    }
