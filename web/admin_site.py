from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.http import user_of
from accounts.selectors import user_is_manager


class KvarterAdminSite(admin.AdminSite):
    site_header = _("Kvarter administration")
    site_title = _("Kvarter")
    index_title = _("Programmes, venues, people and reports")

    def has_permission(self, request: HttpRequest) -> bool:
        # Access follows roles, not the is_staff flag: a coordinator whose
        # membership ends loses the admin at once.
        user = user_of(request)
        return user is not None and user.is_active and user_is_manager(user=user)
