from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("messages/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
