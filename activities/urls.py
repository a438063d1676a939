from django.urls import path

from . import views

app_name = "attendance"

urlpatterns = [
    path("", views.today, name="today"),
    path("tablet/", views.tablet, name="tablet"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/correct/", views.session_correct, name="correct"),
    path("sw.js", views.service_worker, name="service-worker"),
]
