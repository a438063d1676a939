"""The API's interactive documentation (/api/docs) with Swagger UI served from our own static files.

django-ninja loads Swagger UI from a CDN unless `ninja` is an installed app,
and its page carries an inline script; our Content-Security-Policy allows
neither. This viewer renders our template instead: the vendored bundle
(static/vendor, the version in the file name) and a small script of ours.
"""

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from ninja.openapi.docs import Swagger

if TYPE_CHECKING:
    from ninja import NinjaAPI


class SelfHostedSwagger(Swagger):
    template = "core/api_docs.html"

    def render_page(self, request: HttpRequest, api: "NinjaAPI", **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        # "Try it out" sends what the tablet sends: the session cookie and the CSRF header.
        return render(request, self.template, {"api": api, "swagger_settings": settings, "csrf": get_token(request)})
