"""The real URLconf plus the floors under /_bench/: only bench.floor.settings points here."""

from django.urls import path

from config.urls import urlpatterns as kvarter_urlpatterns

from . import views

urlpatterns = [
    path("_bench/json", views.hello),
    path("_bench/insert", views.insert_one),
    path("_bench/bulk", views.insert_many),
    path("_bench/insert-signed-in", views.insert_signed_in),
    *kvarter_urlpatterns,
]
