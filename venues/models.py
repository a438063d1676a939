from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.models import TimeStampedModel

from .enums import SpaceKind, Weekday


class District(TimeStampedModel):
    """An area used for reporting: a stadsdel (Bäckby) or a wijk (De Nude)."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    municipality = models.ForeignKey(
        Organisation,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="districts",
    )
    code = models.CharField(_("statistical code"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="district_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Venue(TimeStampedModel):
    """Premises where activities happen: a lokal, a huiskamer, a Huis van de Wijk."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="venues"
    )
    district = models.ForeignKey(
        District, verbose_name=_("district"), null=True, blank=True, on_delete=models.PROTECT, related_name="venues"
    )
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=12, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Maximum number of people allowed at once.")
    )
    step_free_access = models.BooleanField(_("step-free access"), default=False)
    accessible_toilet = models.BooleanField(_("accessible toilet"), default=False)
    hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    accessibility_notes = models.TextField(_("accessibility notes"), blank=True)
    active_from = models.DateField(_("active from"), null=True, blank=True)
    active_until = models.DateField(_("active until"), null=True, blank=True)
    # A building on the drawing board (Raster's next two living rooms): known and
    # planned for, but nothing can happen there yet.
    planned = models.BooleanField(
        _("planned"), default=False, help_text=_("Not open yet: plans are made, but no activity takes place here.")
    )

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_until__isnull=True)
                | Q(active_from__isnull=True)
                | Q(active_until__gte=F("active_from")),
                name="venue_active_period_valid",
                violation_error_message=_("A venue cannot close before it opens."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    venue = models.ForeignKey(Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["venue", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")),
                name="opening_hours_closes_after_opens",
                violation_error_message=_("Closing time must be after opening time."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Space(TimeStampedModel):
    """A room or area inside a venue; bookable, possibly shared by several organisations."""

    venue = models.ForeignKey(Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="spaces")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=SpaceKind.choices, default=SpaceKind.ROOM)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    bookable = models.BooleanField(_("bookable"), default=True)
    # The owner's switch over the sharing: a space is shared with an
    # organisation while this is on *and* a SpaceShare names it. Turning it
    # off stops all sharing at once and keeps the list of partners for later.
    shared = models.BooleanField(
        _("shared"),
        default=False,
        help_text=_(
            "The partner organisations named under sharing may use and book this space. Clear it to stop all "
            "sharing at once; the list of partners is kept."
        ),
    )

    class Meta:
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        ordering = ["venue__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "name"], name="space_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.venue} · {self.name}"

    def clean(self) -> None:
        if self.capacity and self.venue_id and self.venue.capacity and self.capacity > self.venue.capacity:
            raise ValidationError({"capacity": _("A space cannot hold more people than its venue.")})


class SpaceShareQuerySet(models.QuerySet["SpaceShare"]):
    def in_force(self) -> "SpaceShareQuerySet":
        """Shares that count now: the owner has not switched the space's sharing off."""
        return self.filter(space__shared=True)


class SpaceShare(TimeStampedModel):
    """A space of one organisation's venue shared with a partner organisation, for its own use.

    The partner's coordinators see the space, book it (a request the owner
    approves, or directly where `direct_booking` says so) and run their own
    activities there. Sharing with every party of an agreement is expanded
    into one row per organisation by `partnerships.services.space_share_with_agreement`:
    venues sit below partnerships and cannot name an agreement.
    """

    space = models.ForeignKey(Space, verbose_name=_("space"), on_delete=models.CASCADE, related_name="shares")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("shared with"), on_delete=models.CASCADE, related_name="shared_spaces"
    )
    direct_booking = models.BooleanField(
        _("may book directly"),
        default=False,
        help_text=_("Otherwise each booking is a request that the owner approves."),
    )

    objects = SpaceShareQuerySet.as_manager()

    class Meta:
        verbose_name = _("space sharing")
        verbose_name_plural = _("space sharing")
        ordering = ["space", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["space", "organisation"], name="space_share_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.space} → {self.organisation}"

    def clean(self) -> None:
        if self.space_id and self.organisation_id and self.space.venue.organisation_id == self.organisation_id:
            raise ValidationError({"organisation": _("The venue's owner uses its spaces without sharing them.")})


def space_usable_by(*, space: Space, organisation_id: int) -> bool:
    """Whether `organisation_id` may run activities in and book `space`: it owns the venue, or it is shared with it."""
    if space.venue.organisation_id == organisation_id:
        return True
    return SpaceShare.objects.in_force().filter(space=space, organisation_id=organisation_id).exists()


def venue_usable_by(*, venue: Venue, organisation_id: int) -> bool:
    """Whether `organisation_id` may hold activities at `venue`: it owns it, or one of its spaces is shared with it."""
    if venue.organisation_id == organisation_id:
        return True
    return SpaceShare.objects.in_force().filter(space__venue=venue, organisation_id=organisation_id).exists()
