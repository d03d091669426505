from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from complaints import api, report_views, staff_api, staff_views, views
from evidence import views as evidence_views
from posko.health import healthz

complaint_patterns = [
    path("", views.home, name="home"),
    # --- The report form, step by step (issue 10) ---
    path("lapor/", report_views.report_create, name="report_create"),
    path("lapor/terlapor/", report_views.report_accused, name="report_accused"),
    path("lapor/kejadian/", report_views.report_incident, name="report_incident"),
    path("lapor/bukti/", report_views.report_evidence, name="report_evidence"),
    path("lapor/periksa/", report_views.report_check, name="report_check"),
    path("lapor/lanjut/", report_views.report_resume, name="report_resume"),
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
    path("masuk/", auth_views.LoginView.as_view(template_name="staff/login.html"), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("laporan/<int:pk>/", staff_views.staff_report_evidence, name="report_evidence"),
    path("bukti/<uuid:pk>/salinan/", evidence_views.evidence_copy, {"which": "view"}, name="evidence_view"),
    path("bukti/<uuid:pk>/thumb/", evidence_views.evidence_copy, {"which": "thumb"}, name="evidence_thumb"),
    path("bukti/<uuid:pk>/asli/", evidence_views.evidence_original, name="evidence_original"),
    path("arsip/<uuid:pk>/tangkapan-layar/", evidence_views.capture_screenshot, name="capture_screenshot"),
    path("arsip/<uuid:pk>/warc/", evidence_views.capture_warc, name="capture_warc"),
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

urlpatterns = [
    path("", include((complaint_patterns, "complaints"))),
    path("staf/", include((staff_patterns, "staff"))),
    path("api/v1/", include((api_patterns, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api_docs"),
    path("healthz/", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]

if settings.POSKO_BENCH_VIEWS:
    from posko.bench_views import bare_upload

    urlpatterns.append(path("bench/bare/", bare_upload))
