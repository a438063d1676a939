"""Every URL of activities, in four namespaces that config.urls mounts.

- `attendance:` under /attendance/: the tablet's pages.
- `programme:` under /programme/: the public programme and its iCal feeds.
- `calendar:` under /calendar/: the coordinators' calendar of a venue or a district.
- `spaces:` under /spaces/: spaces shared between organisations, their bookings and use.

Each is a (patterns, app name) pair for `include()`.
"""

from django.urls import path

from .views import calendar, public, sessions, sharing, tablet

attendance_urls = (
    [
        path("", sessions.today, name="today"),
        path("tablet/", tablet.tablet, name="tablet"),
        path("sessions/<int:pk>/", sessions.session_detail, name="session"),
        path("sessions/<int:pk>/correct/", sessions.session_correct, name="correct"),
        path("sessions/<int:pk>/follow-up/", sessions.session_follow_up, name="follow-up"),
        path("sw.js", sessions.service_worker, name="service-worker"),
    ],
    "attendance",
)

programme_urls = (
    [
        path("", public.programme_week, name="week"),
        path("venues/<slug:slug>.ics", public.venue_feed, name="venue-feed"),
        path("districts/<slug:slug>.ics", public.district_feed, name="district-feed"),
        path("activities/<slug:programme>/<slug:activity>.ics", public.activity_feed, name="activity-feed"),
    ],
    "programme",
)

calendar_urls = (
    [
        path("venues/<slug:slug>/", calendar.venue_calendar, name="venue"),
        path("districts/<slug:slug>/", calendar.district_calendar, name="district"),
    ],
    "calendar",
)

spaces_urls = (
    [
        path("", sharing.shared_spaces, name="list"),
        path("<int:pk>/book/", sharing.space_book, name="book"),
        path("requests/<int:pk>/<slug:decision>/", sharing.booking_request_decide, name="decide"),
        path("venues/<slug:slug>/use/", sharing.venue_use, name="venue-use"),
    ],
    "spaces",
)
