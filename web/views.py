from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.http import user_of
from accounts.selectors import organisation_ids_for_user, organisation_list_for_user, user_is_manager, user_roles
from venues.models import District, Venue


def home(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {}
    user = user_of(request)
    if user is not None:
        context = {
            "organisations": organisation_list_for_user(user=user),
            "roles": sorted(user_roles(user=user)),
        }
        if user_is_manager(user=user):
            managed = organisation_ids_for_user(user=user)
            context["calendar_venues"] = list(Venue.objects.filter(organisation__in=managed).order_by("name"))
            context["calendar_districts"] = list(District.objects.filter(municipality__in=managed).order_by("name"))
            context["shared_spaces"] = True
    return render(request, "web/home.html", context)


def admin_login(request: HttpRequest) -> HttpResponse:
    """Where the admin sends people it does not let in.

    Anonymous visitors sign in through allauth like everywhere else, so one set
    of protections guards both. A signed-in leader or volunteer is told why the
    door is closed (403) instead of being sent to sign in again, which would
    loop: allauth returns an authenticated user straight to `next`.
    """
    user = user_of(request)
    if user is not None and not user_is_manager(user=user):
        return render(request, "web/no_admin_access.html", status=403)
    url = reverse("account_login")
    if request.META.get("QUERY_STRING"):
        url += "?" + request.META["QUERY_STRING"]
    return redirect(url)
