"""URLs of the exports, mounted by posko/urls.py: staff pages under /staf/ekspor/, the API under /api/v1/, the
public keys under /.well-known/."""

from django.urls import path

from exports import api, views

staff_patterns = [
    path("", views.export_list, name="list"),
    path("kasus/<int:pk>/", views.case_export_create, name="case_create"),
    path("rekap/", views.recap_export_create, name="recap_create"),
    path("<uuid:pk>/", views.export_detail, name="detail"),
    path("<uuid:pk>/unduh/", views.export_download, name="download"),
]

api_patterns = [
    path("cases/<int:pk>/exports/", api.CaseExportCreate.as_view(), name="case_create"),
    path("exports/", api.RecapExportCreate.as_view(), name="recap_create"),
    path("exports/<uuid:pk>/", api.ExportDetail.as_view(), name="detail"),
    path("exports/<uuid:pk>/file/", api.ExportFile.as_view(), name="file"),
]

wellknown_patterns = [
    path("posko-export-key.pem", views.public_key, name="public_key"),
    path("posko-export-keys.json", views.public_keys, name="public_keys"),
]
