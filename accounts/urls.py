"""Under /staf/: the second sign-in step, the account page, password reset and change. The password step itself
is staff:login (/staf/masuk/), the sign-out staff:logout."""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("masuk/kode/", views.verify, name="verify"),
    path("masuk/daftar-kode/", views.enrol, name="enrol"),
    path("akun/", views.account, name="account"),
    path("akun/sesi/<int:pk>/akhiri/", views.session_end, name="session_end"),
    path("akun/sesi/akhiri-lainnya/", views.sessions_end_others, name="sessions_end_others"),
    path("akun/token/", views.token_create, name="token_create"),
    path("akun/token/cabut/", views.token_revoke, name="token_revoke"),
    path("akun/kode-cadangan/", views.recovery_codes, name="recovery_codes"),
    path("akun/sandi/", views.PasswordChangeView.as_view(), name="password_change"),
    path("sandi/lupa/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "sandi/lupa/terkirim/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "sandi/atur/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "sandi/atur/selesai/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
