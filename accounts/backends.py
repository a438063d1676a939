from django.apps import apps
from django.contrib.auth.backends import BaseBackend

from .selectors import user_is_manager

# The apps whose models coordinators administer. Which *rows* they may see and
# change is decided per organisation by the admin's querysets (accounts.scoping);
# this backend only answers "may coordinators work with this kind of object".
COORDINATOR_APPS = ("venues", "activities", "volunteers", "partnerships", "imports", "reporting")
COORDINATOR_MODELS = (("accounts", "organisation"), ("accounts", "membership"), ("accounts", "user"))
# Read-only for coordinators: the logs are evidence (what happened, what we told whom), nobody edits them.
COORDINATOR_VIEW_ONLY = (("core", "auditlogentry"), ("core", "outgoingmessage"))


def _coordinator_permissions() -> frozenset[str]:
    perms: set[str] = set()
    for model in apps.get_models():
        key = (model._meta.app_label, model._meta.model_name)
        if model._meta.app_label in COORDINATOR_APPS or key in COORDINATOR_MODELS:
            actions = ("view", "add", "change", "delete")
        elif key in COORDINATOR_VIEW_ONLY:
            actions = ("view",)
        else:
            continue
        perms.update(f"{model._meta.app_label}.{action}_{model._meta.model_name}" for action in actions)
    return frozenset(perms)


class RoleBackend(BaseBackend):
    """Grants model permissions from organisation roles instead of Django groups.

    Roles are the single source of truth: removing a coordinator's membership
    removes their admin access at once, with no group to keep in step.
    """

    def get_all_permissions(self, user_obj, obj=None):  # type: ignore[no-untyped-def]
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if "_kvarter_perms" not in user_obj.__dict__:
            perms = _coordinator_permissions() if user_is_manager(user=user_obj) else frozenset()
            user_obj.__dict__["_kvarter_perms"] = perms
        return user_obj.__dict__["_kvarter_perms"]

    def has_perm(self, user_obj, perm, obj=None):  # type: ignore[no-untyped-def]
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):  # type: ignore[no-untyped-def]
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))
