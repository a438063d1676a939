from typing import ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

from .enums import Country, MembershipStatus, OrganisationKind, Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in. E-mail is the login; there is no username."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        help_text=_("Language of e-mails and reports; empty follows the browser."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []  # type: ignore[misc]

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            # Two accounts must not differ only by case of their e-mail address.
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Organisation(TimeStampedModel):
    """A municipality, association, school, funder, housing corporation or university."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("For example a municipal department within the municipality."),
    )
    attendance_lock_days = models.PositiveSmallIntegerField(
        _("attendance editable by leaders for (days)"),
        default=7,
        validators=[MaxValueValidator(365)],
        help_text=_("After this many days past a session, only coordinators can change its attendance."),
    )
    screening_valid_years = models.PositiveSmallIntegerField(
        _("screening checks valid for (years)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("How long a seen VOG or criminal record extract counts, by this organisation's rule."),
    )
    accepts_volunteer_applications = models.BooleanField(
        _("takes volunteer applications"),
        default=False,
        help_text=_(
            "People with an account may apply to volunteer here. An application grants nothing until "
            "a coordinator accepts it."
        ),
    )
    illustrative_figures = models.BooleanField(
        _("illustrative figures"),
        default=False,
        help_text=_(
            "The attendance and amounts recorded here are made up, for a demonstration or training: "
            "reports say so in their notes on the figures."
        ),
    )
    leaders_require_mfa = models.BooleanField(
        _("leaders sign in with a second step"),
        default=False,
        help_text=_(
            "Leaders see participants' names on the tablet. Coordinators, administrators and strategists "
            "always use a second step; tick this to ask it of leaders too."
        ),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> "MembershipQuerySet":
        """The memberships that grant rights: not an application, not ended."""
        return self.filter(status=MembershipStatus.ACTIVE)


class Membership(TimeStampedModel):
    """A person's role at an organisation; access is granted by active memberships only.

    Every right (admin, tablet, reports, leading an activity) is read from the
    active memberships on each request, so ending one ends its rights at once,
    in sessions already open too.
    """

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        text = f"{self.user} · {self.get_role_display()} · {self.organisation}"
        return text if self.status == MembershipStatus.ACTIVE else f"{text} ({self.get_status_display()})"
