from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as account_views
from complaints import api, audit_views, report_views, staff_admin_views, staff_api, staff_views, views
from evidence import views as evidence_views
from exports import urls as exports_urls
from posko.health import healthz
from posko.observability import metrics_view
from stats import urls as stats_urls

complaint_patterns = [
    path("", views.home, name="home"),
    # --- The report form, step by step (issue 10) ---
    path("lapor/", report_views.report_create, name="report_create"),
    path("lapor/terlapor/", report_views.report_accused, name="report_accused"),
    path("lapor/kejadian/", report_views.report_incident, name="report_incident"),
    path("lapor/bukti/", report_views.report_evidence, name="report_evidence"),
    path("lapor/periksa/", report_views.report_check, name="report_check"),
    path("lapor/lanjut/", report_views.report_resume, name="report_resume"),
    path("lapor/tantangan/", report_views.report_bot_challenge, name="report_bot_challenge"),
    path("lapor/unggah/", report_views.report_upload, name="report_upload"),
    path("lapor/unggah/<uuid:pk>/", report_views.report_upload_part, name="report_upload_part"),
    path("lapor/terima/<str:code>/", views.report_receipt, name="receipt"),
    path("lapor/terima/<str:code>/pdf/", views.report_receipt_pdf, name="receipt_pdf"),
    path("lacak/", views.report_track_view, name="track"),
    path("lacak/jawab/", views.report_answer, name="answer"),
    path("wilayah/pilih/", views.region_picker, name="region_picker"),
]

staff_patterns = [
    path("", staff_views.case_queue_view, name="home"),
    path("massal/", staff_views.case_bulk, name="bulk"),
    path("kasus/<int:pk>/", staff_views.case_detail, name="case"),
    path("kasus/<int:pk>/aksi/<slug:action>/", staff_views.case_action, name="case_action"),
    path("terlapor/<int:pk>/", staff_views.person_detail, name="person"),
    path("masuk/", account_views.SignInView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("laporan/<int:pk>/", staff_views.staff_report_evidence, name="report_evidence"),
    path("bukti/<uuid:pk>/salinan/", evidence_views.evidence_copy, {"which": "view"}, name="evidence_view"),
    path("bukti/<uuid:pk>/thumb/", evidence_views.evidence_copy, {"which": "thumb"}, name="evidence_thumb"),
    path("bukti/<uuid:pk>/asli/", evidence_views.evidence_original, name="evidence_original"),
    path("bukti/<uuid:pk>/proses-ulang/", evidence_views.evidence_reprocess, name="evidence_reprocess"),
    path("arsip/<uuid:pk>/tangkapan-layar/", evidence_views.capture_screenshot, name="capture_screenshot"),
    path("arsip/<uuid:pk>/warc/", evidence_views.capture_warc, name="capture_warc"),
    # --- Staff side (issue 10): search, approvals, staff and agency management, invitations ---
    path("cari/", staff_views.staff_search, name="search"),
    path("persetujuan/", staff_views.approvals_inbox, name="approvals"),
    path("audit/", audit_views.audit_trail_view, name="audit"),
    path("pengguna/", staff_admin_views.staff_users, name="users"),
    path("pengguna/<int:pk>/", staff_admin_views.staff_user_edit, name="user_edit"),
    path("pengguna/<int:pk>/<slug:what>/", staff_admin_views.staff_user_state, name="user_state"),
    path("undangan/<str:token>/", staff_admin_views.invite_accept, name="invite_accept"),
    path("instansi/", staff_admin_views.agencies, name="agencies"),
    path("instansi/<int:pk>/", staff_admin_views.agency_edit, name="agency_edit"),
]

api_patterns = [
    path("elections/", api.ElectionList.as_view(), name="elections"),
    path("categories/", api.CategoryList.as_view(), name="categories"),
    path("regions/", api.RegionList.as_view(), name="regions"),
    path("reports/", api.ReportCreate.as_view(), name="report_create"),
    path("reports/track/", api.ReportTrack.as_view(), name="report_track"),
    path("cases/", staff_api.CaseList.as_view(), name="cases"),
    path("cases/<int:pk>/", staff_api.CaseDetail.as_view(), name="case"),
    path("cases/<int:pk>/transition/", staff_api.CaseTransition.as_view(), name="case_transition"),
    path("cases/<int:pk>/notes/", staff_api.CaseNote.as_view(), name="case_note"),
    path("cases/<int:pk>/messages/", staff_api.CaseMessage.as_view(), name="case_message"),
]

# --- Case files and letters (issue 8) ---
from casefiles import urls as casefile_urls  # noqa: E402

staff_patterns += casefile_urls.staff_patterns
complaint_patterns += casefile_urls.public_patterns
# --- Statistics (issue 8) ---
stats_patterns = [
    path("staf/statistik/", include((stats_urls.staff_patterns, "stats_staff"))),
    path("statistik/", include((stats_urls.public_patterns, "stats"))),
]

urlpatterns = [
    *stats_patterns,
    path("", include((complaint_patterns, "complaints"))),
    path("staf/", include((staff_patterns, "staff"))),
    path("staf/", include(("accounts.urls", "accounts"))),
    path("api/v1/", include((api_patterns, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file (?script): no inline script under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api_docs"),
    path("healthz/", healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    # --- Exports (issue 8) ---
    path("staf/ekspor/", include((exports_urls.staff_patterns, "exports"))),
    path("api/v1/", include((exports_urls.api_patterns, "exports_api"))),
    path(".well-known/", include((exports_urls.wellknown_patterns, "wellknown"))),
]

# An outage met outside a view is a 503 with Retry-After too (posko.middleware).
handler500 = "posko.middleware.server_error"
# --- Friendly error pages and API answers (issue 10) ---
handler400 = "complaints.error_views.bad_request"
handler403 = "complaints.error_views.permission_denied"
handler404 = "complaints.error_views.page_not_found"

if settings.POSKO_BENCH_VIEWS:
    from posko.bench_views import bare_upload, bare_upload_stored

    urlpatterns.append(path("bench/bare/", bare_upload))
    urlpatterns.append(path("bench/bare-stored/", bare_upload_stored))
