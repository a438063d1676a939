from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from activities.models import Activity, Programme, Session
from core.models import TimeStampedModel
from venues.enums import Weekday
from venues.models import District

from .enums import HoursStatus, PlacementStatus, ScreeningKind, VacancyStatus, VolunteerStatus


class Skill(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Language(models.Model):
    code = models.CharField(_("code"), max_length=8, unique=True, help_text=_("ISO 639-1, e.g. sv, nl, ar."))
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Volunteer(TimeStampedModel):
    """A volunteer of one organisation. Contact data only; no identity documents."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="volunteers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer_profiles",
    )
    first_name = models.CharField(_("first name"), max_length=60)
    last_name = models.CharField(_("last name"), max_length=60, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=VolunteerStatus.choices, default=VolunteerStatus.APPLICANT
    )
    skills = models.ManyToManyField(Skill, verbose_name=_("skills"), blank=True, related_name="volunteers")
    languages = models.ManyToManyField(Language, verbose_name=_("languages"), blank=True, related_name="volunteers")
    districts = models.ManyToManyField(District, verbose_name=_("districts"), blank=True, related_name="volunteers")
    interests = models.CharField(_("interests"), max_length=200, blank=True)
    last_active_on = models.DateField(_("last active on"), null=True, blank=True)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["first_name", "last_name"]
        constraints = [
            # One profile per person and organisation; a volunteer may serve several organisations.
            models.UniqueConstraint(
                fields=["organisation", "user"], condition=Q(user__isnull=False), name="volunteer_unique_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class VolunteerStatusChange(models.Model):
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("previous status"), max_length=10, choices=VolunteerStatus.choices, blank=True)
    to_status = models.CharField(_("new status"), max_length=10, choices=VolunteerStatus.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["volunteer", "-changed_at"]

    def __str__(self) -> str:
        return f"{self.volunteer}: {self.from_status} → {self.to_status}"


class Availability(models.Model):
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="availability"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("to"))

    class Meta:
        verbose_name = _("availability")
        verbose_name_plural = _("availability")
        ordering = ["volunteer", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")),
                name="availability_ends_after_start",
                violation_error_message=_("The end time must be after the start time."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class ScreeningCheck(TimeStampedModel):
    """That a coordinator saw an original certificate (VOG, belastningsregister extract).

    Metadata only, by design: no copy of the certificate is ever stored.
    """

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="screening_checks"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ScreeningKind.choices)
    seen_on = models.DateField(_("seen on"))
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("seen by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    valid_until = models.DateField(_("valid until"))
    # The expiry reminder went out (once per check; see volunteers.services).
    reminded_on = models.DateField(_("reminded on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("screening check")
        verbose_name_plural = _("screening checks")
        ordering = ["volunteer", "-valid_until"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("seen_on")),
                name="screening_valid_after_seen",
                violation_error_message=_("A check cannot expire before it was seen."),
            ),
        ]
        indexes = [
            # The daily reminder job looks for checks expiring in a date window.
            models.Index(fields=["valid_until"], name="screening_valid_until_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.volunteer}"


class Vacancy(TimeStampedModel):
    """A role to fill at an activity or programme."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="vacancies"
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vacancies",
    )
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), null=True, blank=True, on_delete=models.PROTECT, related_name="vacancies"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    skills = models.ManyToManyField(Skill, verbose_name=_("skills"), blank=True, related_name="vacancies")
    languages = models.ManyToManyField(Language, verbose_name=_("languages"), blank=True, related_name="vacancies")
    time_commitment = models.CharField(_("time commitment"), max_length=100, blank=True)
    places = models.PositiveSmallIntegerField(_("places"), default=1, validators=[MinValueValidator(1)])
    requires_screening = models.BooleanField(
        _("screening check required"), default=False, help_text=_("For roles with children or vulnerable people.")
    )
    status = models.CharField(_("status"), max_length=10, choices=VacancyStatus.choices, default=VacancyStatus.DRAFT)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        verbose_name = _("vacancy")
        verbose_name_plural = _("vacancies")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="vacancy_ends_after_start",
                violation_error_message=_("A vacancy cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Placement(TimeStampedModel):
    """A volunteer in a vacancy: from invitation or application to the end."""

    vacancy = models.ForeignKey(Vacancy, verbose_name=_("vacancy"), on_delete=models.PROTECT, related_name="placements")
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="placements"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PlacementStatus.choices, default=PlacementStatus.INVITED
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["vacancy", "volunteer"],
                condition=Q(status__in=["invited", "applied", "active"]),
                name="placement_one_open_per_vacancy",
                violation_error_message=_("This volunteer already has an open placement in this vacancy."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(started_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="placement_ends_after_start",
                violation_error_message=_("A placement cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.vacancy}"


class Shift(models.Model):
    """A volunteer rostered at one session."""

    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="shifts")
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="shifts"
    )
    role = models.CharField(_("role"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["session", "volunteer"]
        constraints = [
            models.UniqueConstraint(fields=["session", "volunteer"], name="shift_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} @ {self.session}"


class HoursLog(TimeStampedModel):
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="hours"
    )
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    session = models.ForeignKey(
        Session, verbose_name=_("session"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(24)]
    )
    status = models.CharField(_("status"), max_length=10, choices=HoursStatus.choices, default=HoursStatus.LOGGED)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("hours")
        verbose_name_plural = _("hours")
        ordering = ["volunteer", "-date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24),
                name="hours_within_a_day",
                violation_error_message=_("Hours must be more than 0 and at most 24."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.date:%Y-%m-%d}: {self.hours}"


class Team(TimeStampedModel):
    """A buurtteam: volunteers in one neighbourhood, with the social worker who coordinates them."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="volunteer_teams"
    )
    name = models.CharField(_("name"), max_length=200)
    district = models.ForeignKey(
        District, verbose_name=_("district"), null=True, blank=True, on_delete=models.PROTECT, related_name="teams"
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coordinated_teams",
    )
    members = models.ManyToManyField(Volunteer, verbose_name=_("members"), blank=True, related_name="teams")

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name
