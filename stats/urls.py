from django.urls import path

from stats import views

staff_patterns = [
    path("", views.staff_stats, name="staff"),
    path("csv/<slug:table>/", views.staff_stats_csv, name="staff_csv"),
]

public_patterns = [
    path("", views.public_stats, name="public"),
    path("data.json", views.public_data_json, name="public_json"),
    path("data.csv", views.public_data_csv, name="public_csv"),
]
