from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("request/", views.request_create, name="request-create"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/status/", views.request_status, name="request-status"),
    path("<int:pk>/pdf/", views.download, name="download"),
    path("<int:pk>/figures.csv", views.export_csv, name="csv"),
    path("<int:pk>/figures.xlsx", views.export_xlsx, name="xlsx"),
    path("<str:kind>/<int:pk>/", views.scope_detail, name="scope"),
    path("<str:kind>/<int:pk>/narrative/", views.narrative_pick, name="narrative-pick"),
    path("<str:kind>/<int:pk>/follow/", views.follow, name="follow"),
    path(
        "<str:kind>/<int:pk>/<str:first>--<str:last>/narrative/<str:language>/",
        views.narrative_edit_period,
        name="narrative-period",
    ),
    path("<str:kind>/<int:pk>/<int:year>/narrative/<str:language>/", views.narrative_edit, name="narrative"),
]
