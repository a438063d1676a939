from django.urls import path

from . import self_service, views

app_name = "volunteering"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("vacancies/<int:pk>/", views.vacancy_detail, name="vacancy"),
    path("vacancies/<int:pk>/invite/", views.vacancy_invite, name="invite"),
    path("vacancies/<int:pk>/message/", views.vacancy_message, name="vacancy-message"),
    path("activities/<int:pk>/message/", views.activity_message, name="activity-message"),
    path("placements/<int:pk>/<str:action>/", views.placement_action, name="placement"),
    path("people/<int:pk>/", views.volunteer_detail, name="volunteer"),
    path("people/<int:pk>/status/", views.volunteer_status, name="status"),
    path("people/<int:pk>/screening/", views.volunteer_screening, name="screening"),
    path("me/", self_service.me, name="me"),
    path("me/profile/", self_service.me_profile, name="me-profile"),
    path("me/availability/", self_service.me_availability, name="me-availability"),
    path("me/availability/<int:pk>/delete/", self_service.me_availability_delete, name="me-availability-delete"),
    path("me/apply/<int:pk>/", self_service.me_apply, name="me-apply"),
    path("me/hours/", self_service.me_hours, name="me-hours"),
    path("me/hours/confirm/<int:pk>/", self_service.me_confirm, name="me-confirm"),
    path("me/data.json", self_service.me_data, name="me-data"),
    path("me/statement.pdf", self_service.me_statement, name="me-statement"),
    path("join/<slug:slug>/", self_service.join, name="join"),
]
