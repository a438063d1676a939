from django.urls import path

from . import public

app_name = "programme"

urlpatterns = [
    path("", public.programme_week, name="week"),
    path("venues/<slug:slug>.ics", public.venue_feed, name="venue-feed"),
    path("districts/<slug:slug>.ics", public.district_feed, name="district-feed"),
    path("activities/<slug:programme>/<slug:activity>.ics", public.activity_feed, name="activity-feed"),
]
