from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("administrator")
    COORDINATOR = "coordinator", _("coordinator")
    LEADER = "leader", _("leader")
    STRATEGIST = "strategist", _("strategist")
    VOLUNTEER = "volunteer", _("volunteer")


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("municipality")
    ASSOCIATION = "association", _("association or NGO")
    SCHOOL = "school", _("school")
    FUNDER = "funder", _("funder")
    HOUSING = "housing", _("housing corporation")
    UNIVERSITY = "university", _("university or college")
    OTHER = "other", _("other")


class Country(models.TextChoices):
    SWEDEN = "SE", _("Sweden")
    NETHERLANDS = "NL", _("Netherlands")


class MembershipStatus(models.TextChoices):
    # An application (a volunteer joining through the site): it grants nothing
    # until one of the organisation's coordinators accepts it.
    PENDING = "pending", _("applied, waiting for a coordinator")
    ACTIVE = "active", _("active")
    # Kept, not deleted: the coordinator still sees the former member (and the
    # activities they led), and the audit trail keeps its context.
    ENDED = "ended", _("ended")
