from typing import Any

from allauth.account.decorators import reauthentication_required
from allauth.mfa.models import Authenticator
from allauth.usersessions.adapter import get_adapter as get_usersessions_adapter
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import ReadOnlyAdminMixin
from core.messages import KINDS, unsubscribe_url
from core.messages import render as render_message
from core.models import AuditAction, AuditLogEntry, OutgoingMessage
from core.paginators import CappedCountPaginator
from core.services import log_action

from .enums import MembershipStatus
from .http import signed_in
from .models import Membership, Organisation, User
from .scoping import OrganisationScopedAdmin, ScopedInline
from .selectors import organisation_ids_for_user
from .services import membership_set_status


class RecentSignInRequiredMixin:
    """Who may do what is changed only by someone who typed their password in the last minutes.

    A coordinator's unlocked laptop must not be enough to hand out roles or
    switch an account back on (ASVS 6.2.x/7.5.1: re-authentication before
    sensitive changes). Opening the form, saving it and deleting all ask;
    allauth keeps the suspended POST and replays it after the password, so
    nothing typed is lost. `ACCOUNT_REAUTHENTICATION_TIMEOUT` sets "recent".
    """

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        parent = super().changeform_view  # type: ignore[misc]
        return reauthentication_required(lambda req: parent(req, *args, **kwargs))(request)

    def delete_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        parent = super().delete_view  # type: ignore[misc]
        return reauthentication_required(lambda req: parent(req, *args, **kwargs))(request)


class MembershipInline(ScopedInline):
    model = Membership
    fk_name = "user"
    fields = ["organisation", "role", "title", "status"]
    autocomplete_fields = ["organisation"]
    show_change_link = False

    def get_min_num(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        # A coordinator's colleague is a member of one of their organisations;
        # without a membership the new account would vanish from their view.
        return 0 if request.user.is_superuser else 1


@admin.register(User)
class UserAdmin(RecentSignInRequiredMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "last_login"]
    list_filter = ["is_active", "is_superuser", "memberships__role"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "language")}),
        (_("Access"), {"fields": ("is_active", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "first_name", "usable_password", "password1", "password2")}),
    )
    readonly_fields = ["last_login", "date_joined"]

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        # Coordinators manage the people of their own organisations only.
        org_ids = organisation_ids_for_user(user=signed_in(request))
        return queryset.filter(Exists(Membership.objects.filter(user=OuterRef("pk"), organisation_id__in=org_ids)))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or request.user.is_superuser:
            return True
        # A coordinator changes only people who work solely for their own
        # organisations: not platform administrators, and not someone who is
        # also a member elsewhere (that organisation's coordinator owns them too).
        # An application elsewhere, or a membership that has ended, grants
        # nothing and so takes nothing from this organisation's control.
        org_ids = organisation_ids_for_user(user=signed_in(request))
        return not obj.is_superuser and not obj.memberships.active().exclude(organisation_id__in=org_ids).exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # People leave by deactivation (is_active) or by ending their membership:
        # deleting an account would also delete what they logged.
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        # Coordinators never learn or set a colleague's password; the colleague
        # resets it by e-mail. Only platform administrators may set one here.
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def get_readonly_fields(self, request: HttpRequest, obj: object = None):  # type: ignore[no-untyped-def]
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Only platform administrators hand out superuser rights.
            fields.append("is_superuser")
        return fields


@admin.register(Organisation)
class OrganisationAdmin(RecentSignInRequiredMixin, OrganisationScopedAdmin):
    scope_path = "pk"
    shared_reference = True
    list_display = ["name", "kind", "country", "city", "parent", "illustrative_figures"]
    list_filter = ["kind", "country", "illustrative_figures"]
    search_fields = ["name", "city"]
    list_select_related = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]


@admin.register(Membership)
class MembershipAdmin(RecentSignInRequiredMixin, OrganisationScopedAdmin):
    """Who works for the coordinator's organisations, and how: applications to
    accept, active roles, and ended ones (kept, so a former leader stays in
    sight and the activities they led can be tidied up)."""

    scope_path = "organisation"
    list_display = ["user", "organisation", "role", "status", "title", "updated_at"]
    list_filter = ["status", "role", "organisation"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "organisation__name"]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation"]
    actions = ["end_memberships", "accept_applications"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Coordinators end memberships; deleting one would also take the former
        # member out of their sight. The platform operator may still delete.
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):  # type: ignore[no-untyped-def]
        # The status changes through the actions (or the form of a new row), so
        # every change goes through membership_set_status and is audited.
        return ["status"] if obj is not None else []

    def _set_status(self, request: HttpRequest, queryset: Any, status: str, done: Any) -> None:
        changed = 0
        for membership in queryset.select_related("user", "organisation"):
            try:
                if membership.status != status:
                    membership_set_status(membership=membership, status=status, by=signed_in(request), request=request)
                    changed += 1
            except ValidationError as error:
                self.message_user(request, f"{membership}: {' '.join(error.messages)}", messages.ERROR)
        self.message_user(request, done(changed) % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("End the selected memberships"), permissions=["change"])
    def end_memberships(self, request: HttpRequest, queryset: Any) -> None:
        self._set_status(
            request,
            queryset,
            MembershipStatus.ENDED,
            lambda n: ngettext("%(count)d membership ended.", "%(count)d memberships ended.", n),
        )

    @admin.action(description=_("Accept the selected applications"), permissions=["change"])
    def accept_applications(self, request: HttpRequest, queryset: Any) -> None:
        self._set_status(
            request,
            queryset.filter(status=MembershipStatus.PENDING),
            MembershipStatus.ACTIVE,
            lambda n: ngettext("%(count)d application accepted.", "%(count)d applications accepted.", n),
        )


# allauth registers its own admin for authenticators, which shows the TOTP
# secret and recovery codes in the change form. Ours lists who has which
# factor and lets a superuser remove one (a coordinator who lost their phone
# then sets up a new one at their next sign-in); nothing else.
admin.site.unregister(Authenticator)


class PlatformOperatorOnlyAdmin(admin.ModelAdmin):
    """Seen by superusers only, never added or changed here; a row may be removed."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        # One by one through delete_model, which records (and, for sessions, signs out) each.
        for obj in queryset.select_related("user"):
            self.delete_model(request, obj)


@admin.register(Authenticator)
class AuthenticatorAdmin(RecentSignInRequiredMixin, PlatformOperatorOnlyAdmin):
    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        log_action(
            actor=request.user,
            action=AuditAction.USER_FACTOR_REMOVED,
            obj=obj.user,
            changes={"type": obj.type},
            request=request,
        )
        super().delete_model(request, obj)


admin.site.unregister(UserSession)


@admin.register(UserSession)
class UserSessionAdmin(RecentSignInRequiredMixin, PlatformOperatorOnlyAdmin):
    """Where each person is signed in. Deleting a row signs that browser out
    (ASVS 7.4.5); deactivating the account signs out all of them."""

    list_display = ["user", "created_at", "ip", "user_agent"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = ["user", "created_at", "ip", "user_agent"]
    readonly_fields = fields

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        log_action(actor=request.user, action=AuditAction.USER_SESSIONS_ENDED, obj=obj.user, request=request)
        get_usersessions_adapter().end_sessions([obj])


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "actor", "action_shown", "result", "content_type", "object_repr", "ip_address"]
    list_filter = [("at", admin.DateFieldListFilter), "result", "action", "content_type"]
    search_fields = ["object_repr", "actor__email", "action"]
    list_select_related = ["actor", "content_type"]
    # The log grows with every sign-in and every read of a participant: the
    # count is capped or estimated (core.paginators), and there is no
    # date_hierarchy, whose year links scan the whole log; the "at" filter
    # narrows by date without a query.
    paginator = CappedCountPaginator
    show_full_result_count = False

    @admin.display(description=_("action"), ordering="action")
    def action_shown(self, obj: AuditLogEntry) -> str:
        return obj.action_label  # entries written under an older name too

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        # A coordinator sees what happened to their organisations' data (by
        # anyone, the platform operator included) and what they did themselves;
        # never another tenant's objects, whatever else its actor is a member of.
        org_ids = organisation_ids_for_user(user=signed_in(request))
        return queryset.filter(Q(organisation_id__in=org_ids) | Q(actor_id=request.user.pk))


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The message log: what was sent to whom, in a coordinator's organisations; and every kind's preview."""

    list_display = ["created_at", "kind", "to", "language", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "channel", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["to", "subject"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    fields = [
        "kind",
        "channel",
        "to",
        "language",
        "subject",
        "text",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    ]

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(organisation_id__in=organisation_ids_for_user(user=signed_in(request)))

    def get_urls(self) -> list[Any]:
        return [
            path(
                "previews/",
                self.admin_site.admin_view(self.previews_view),
                name="core_outgoingmessage_previews",
            ),
            *super().get_urls(),
        ]

    def previews_view(self, request: HttpRequest) -> HttpResponse:
        """Every kind of message in every language, rendered from its sample: what people will read."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        chosen = request.GET.get("kind", "")
        kinds = sorted(KINDS.values(), key=lambda kind: str(kind.label))
        kind = KINDS.get(chosen) or (kinds[0] if kinds else None)
        previews = []
        if kind is not None:
            for code, name in settings.LANGUAGES:
                context = kind.sample()
                if kind.topic:
                    context["unsubscribe_url"] = unsubscribe_url(address="amina@example.org", topic=kind.topic)
                previews.append(
                    {
                        "code": code,
                        "name": name,
                        "message": render_message(kind=kind.name, language=code, context=context),
                    }
                )
        return TemplateResponse(
            request,
            "admin/core/outgoingmessage/previews.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Messages people get"),
                "opts": self.model._meta,
                "kinds": kinds,
                "kind": kind,
                "previews": previews,
            },
        )
