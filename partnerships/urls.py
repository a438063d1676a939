from django.urls import path

from . import views

app_name = "partnerships"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<slug:slug>/", views.agreement_detail, name="agreement"),
    path("<slug:slug>/status/", views.agreement_status, name="status"),
    path("<slug:slug>/documents/", views.document_upload, name="document-upload"),
    path("<slug:slug>/documents/<int:pk>/", views.document_download, name="document"),
    path("<slug:slug>/obligations/<int:pk>/done/", views.obligation_done, name="obligation-done"),
]
