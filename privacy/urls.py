from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("participants/", views.participant_list, name="participants"),
    path("participants/<str:code>/", views.participant_detail, name="participant"),
    path("participants/<str:code>/export.json", views.participant_export_json, name="participant-json"),
    path("participants/<str:code>/export.pdf", views.participant_export_pdf, name="participant-pdf"),
    path("participants/<str:code>/erase/", views.participant_erase_view, name="participant-erase"),
    path("volunteers/<int:pk>/export.json", views.volunteer_export_json, name="volunteer-json"),
    path("volunteers/<int:pk>/export.pdf", views.volunteer_export_pdf, name="volunteer-pdf"),
]
