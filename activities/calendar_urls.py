from django.urls import path

from . import calendar_views

app_name = "calendar"

urlpatterns = [
    path("venues/<slug:slug>/", calendar_views.venue_calendar, name="venue"),
    path("districts/<slug:slug>/", calendar_views.district_calendar, name="district"),
]
