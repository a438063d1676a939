from django.db import models
from django.utils.translation import gettext_lazy as _


class AgreementKind(models.TextChoices):
    IOP = "iop", _("IOP (idea-based public partnership)")
    GRANT = "grant", _("grant or subsidy")
    CONTRACT = "contract", _("contract")
    NETWORK = "network", _("network agreement")


class AgreementStatus(models.TextChoices):
    PROPOSAL = "proposal", _("proposal")
    DECIDED = "decided", _("decided")
    ACTIVE = "active", _("active")
    ENDED = "ended", _("ended")


class PartyRole(models.TextChoices):
    MUNICIPALITY = "municipality", _("municipality")
    IDEA_BASED = "idea_based", _("idea-based partner")
    LEAD = "lead", _("lead partner")
    FUNDER = "funder", _("funder")
    NETWORK = "network", _("network partner")


class Currency(models.TextChoices):
    SEK = "SEK", "SEK"
    EUR = "EUR", "EUR"


class IndicatorMetric(models.TextChoices):
    VISITS = "visits", _("visits")
    FIRST_VISITS = "first_visits", _("first-time visitors")
    SESSIONS_HELD = "sessions_held", _("sessions held")
    VOLUNTEERS_ACTIVE = "volunteers_active", _("active volunteers")
    VOLUNTEER_HOURS = "volunteer_hours", _("volunteer hours")
    MANUAL = "manual", _("entered by hand")


class InitiativeKind(models.TextChoices):
    INITIATIVE = "initiative", _("residents' initiative")
    NETWORK = "network", _("residents' network")
