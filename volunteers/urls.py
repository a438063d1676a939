from django.urls import path

from . import views

app_name = "volunteering"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("vacancies/<int:pk>/", views.vacancy_detail, name="vacancy"),
    path("vacancies/<int:pk>/invite/", views.vacancy_invite, name="invite"),
    path("placements/<int:pk>/<str:action>/", views.placement_action, name="placement"),
    path("people/<int:pk>/", views.volunteer_detail, name="volunteer"),
    path("people/<int:pk>/status/", views.volunteer_status, name="status"),
    path("people/<int:pk>/screening/", views.volunteer_screening, name="screening"),
]
