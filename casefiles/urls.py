"""URLs of the case files app, mounted by posko/urls.py under the staff area (/staf/) and the public pages."""

from django.urls import path

from casefiles import views

staff_patterns = [
    path("kasus/<int:pk>/surat/terbitkan/", views.letter_issue_view, name="letter_issue"),
    path("kasus/<int:pk>/surat/<uuid:letter_id>/", views.letter_download, name="letter_download"),
    path("kasus/<int:pk>/surat/<uuid:letter_id>/koreksi/", views.letter_correct_view, name="letter_correct"),
    path("kasus/<int:pk>/pindaian/unggah/", views.scan_upload_view, name="scan_upload"),
    path("kasus/<int:pk>/pindaian/<uuid:scan_id>/", views.scan_download, name="scan_download"),
]

public_patterns = [
    path("lacak/surat/<uuid:letter_id>/", views.reporter_letter_download, name="reporter_letter"),
]
