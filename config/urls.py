from django.contrib import admin
from django.urls import include, path

from activities import urls as activities_urls
from web import views as web_views

from .api import api

urlpatterns = [
    # The admin signs in through allauth like every other page, so one set of
    # protections (rate limits, MFA later) guards both.
    path("admin/login/", web_views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("attendance/", include(activities_urls.attendance_urls)),
    path("reports/", include("reporting.urls")),
    path("programme/", include(activities_urls.programme_urls)),
    path("partnerships/", include("partnerships.urls")),
    path("calendar/", include(activities_urls.calendar_urls)),
    path("spaces/", include(activities_urls.spaces_urls)),
    path("volunteers/", include("volunteers.urls")),
    path("privacy/", include("privacy.urls")),
    path("", include("core.urls")),
    path("", include("web.urls")),
]

# No media URL, in any configuration: report PDFs and agreement documents are
# personal or confidential and are served only by views that check who asks
# (reporting.views.download, partnerships.views.document_download).
