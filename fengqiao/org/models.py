"""The organisation: regions, handling units, service points and memberships (MISSION §2).

Rules about the tree (which level may hang under which, what a centre oversees)
live in fengqiao.org.rules; who may see what lives in fengqiao.org.access.
Writes go through fengqiao.org.services.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")


class Region(models.Model):
    """An administrative area: city → district → street → community → grid.

    `code` is the national statistical code (统计用区划代码) where one exists:
    6 digits for a city or district, 9 for a street, 12 for a community; grids
    take their community's code plus a suffix. `path` is the chain of codes from
    the root, so "everything under X" is one indexed prefix query.
    """

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=12, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False)
    case_prefix = models.CharField(
        _("case code prefix"),
        max_length=4,
        blank=True,
        help_text=_("Districts only: letters that start every case code, e.g. GM for 光明区."),
    )
    boundary = models.JSONField(_("boundary (GeoJSON, WGS84)"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__in=RegionLevel.values), name="region_level_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def district(self) -> Region | None:
        node: Region | None = self
        while node is not None and node.level != RegionLevel.DISTRICT:
            node = node.parent
        return node


class UnitKind(models.TextChoices):
    DISTRICT_CENTRE = "district_centre", _("District centre")
    STREET_CENTRE = "street_centre", _("Street centre")
    COMMUNITY_CENTRE = "community_centre", _("Community centre")
    DEPARTMENT = "department", _("Functional department")
    STREET_OFFICE = "street_office", _("Street office")
    POLICE = "police", _("Police")
    COURT = "court", _("Court")
    PROCURATORATE = "procuratorate", _("Procuratorate")
    JUSTICE = "justice", _("Justice bureau")
    ARBITRATION = "arbitration", _("Labour arbitration")
    MEDIATION_COMMITTEE = "mediation_committee", _("Mediation committee")
    PETITION_OFFICE = "petition_office", _("Petition office")
    MASS_ORGANISATION = "mass_organisation", _("Mass organisation")
    UTILITY = "utility", _("Public utility")
    PARTY_ORGAN = "party_organ", _("Party organ")


class OrgUnit(models.Model):
    """A unit that takes, dispatches or handles cases.

    Centres (district, street, community) oversee the units below them in this
    tree; departments and other handling units are leaves or small sub-trees.
    `path` is the chain of ids from the root ("/1/7/42/").
    """

    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=UnitKind.choices)
    region = models.ForeignKey(Region, verbose_name=_("region served"), on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("supervising unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False)
    domain_hint = models.CharField(_("what it handles"), max_length=200, blank=True)
    source = models.CharField(_("source of the name"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=UnitKind.values), name="orgunit_kind_valid"),
            models.UniqueConstraint(fields=["region", "name"], name="orgunit_unique_name_in_region"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_centre(self) -> bool:
        from fengqiao.org.rules import CENTRE_KINDS

        return self.kind in CENTRE_KINDS


class ServicePointLevel(models.TextChoices):
    DISTRICT_HALL = "district_hall", _("District service hall")
    STREET_HALL = "street_hall", _("Street service hall")
    COMMUNITY_HALL = "community_hall", _("Community service hall")
    STATION = "station", _("Service station")


class PlaceKind(models.TextChoices):
    GOVERNMENT = "government", _("Government building")
    POLICE_STATION = "police_station", _("Police station")
    CONSTRUCTION_SITE = "construction_site", _("Construction site")
    INDUSTRIAL_PARK = "industrial_park", _("Industrial park")
    SCHOOL = "school", _("School")
    HOSPITAL = "hospital", _("Hospital")
    MALL = "mall", _("Shopping mall")
    TRANSPORT = "transport", _("Transport station")
    RESIDENTIAL = "residential", _("Residential compound")
    OTHER = "other", _("Other")


def _new_token() -> str:
    return secrets.token_urlsafe(9)


class ServicePoint(models.Model):
    """A place where residents raise demands (诉求服务大厅/站): the "1+6+31+N" of Guangming.

    Its QR code opens the public intake form with this place filled in; `token`
    is what the code carries, so renaming a point never breaks printed codes.
    """

    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=ServicePointLevel.choices)
    place_kind = models.CharField(_("kind of place"), max_length=20, choices=PlaceKind.choices, default=PlaceKind.OTHER)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="service_points")
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("operating unit"), on_delete=models.PROTECT, related_name="service_points"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    token = models.CharField(_("token"), max_length=24, unique=True, default=_new_token, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        ordering = ["region__code", "level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="servicepoint_unique_name_in_region"),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """What a member does in a unit (MISSION §1). Residents need no membership."""

    STATION_STAFF = "station_staff", _("Service-point staff")
    OPERATOR = "operator", _("Centre operator")
    HANDLER = "handler", _("Department handler")
    MEDIATOR = "mediator", _("Mediator")
    COURT_CLERK = "court_clerk", _("Court clerk")
    LEADER = "leader", _("Leader")
    GRID_WORKER = "grid_worker", _("Grid worker")
    VOLUNTEER = "volunteer", _("Safety volunteer")
    ADMINISTRATOR = "administrator", _("Administrator")
    AUDITOR = "auditor", _("Auditor")
    # The third of the three duties (三员: system administrator, security officer, auditor): approves the grants the
    # others request and keeps roles and keys; reads no case (fengqiao.org.duties).
    SECURITY_OFFICER = "security_officer", _("Security officer")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    title = models.CharField(_("job title"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class QrPlace(models.Model):
    """A building or spot with its own QR code (e.g. 光明社区碧眼新村3栋): the form opens with this place filled in.

    Finer than a service point: residents scan the code on their own building. `token` is what
    the printed code carries, so renaming the place never breaks it.
    """

    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="qr_places")
    service_point = models.ForeignKey(
        ServicePoint, verbose_name=_("service point"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="qr_places",
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    token = models.CharField(_("token"), max_length=24, unique=True, default=_new_token, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("QR place")
        verbose_name_plural = _("QR places")
        ordering = ["region__code", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="qrplace_unique_name_in_region")]

    def __str__(self) -> str:
        return self.name


class GrantRequest(models.Model):
    """A role asked for someone by a person (the administrator, a security officer): it gives nothing until a second
    person, a security officer who is neither the one who asked nor the one who receives it, approves it.

    Written only by fengqiao.org.grants; the rules (who may ask, who may approve) are in fengqiao.org.duties.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("for whom"), on_delete=models.PROTECT,
                             related_name="grant_requests")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="grant_requests")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    title = models.CharField(_("job title"), max_length=40, blank=True)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.PROTECT,
                                     related_name="grants_requested")
    requested_at = models.DateTimeField(_("asked at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="grants_decided")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.CharField(_("reason of the decision"), max_length=300, blank=True)
    membership = models.ForeignKey(Membership, verbose_name=_("membership"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="grant_requests")

    class Meta:
        verbose_name = _("grant request")
        verbose_name_plural = _("grant requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=["pending", "approved", "refused"]),
                                   name="grantrequest_status_valid"),
            # The second person: nobody approves what they asked for, nor a grant to themselves.
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | (~models.Q(decided_by=models.F("requested_by")) & ~models.Q(decided_by=models.F("user"))),
                name="grantrequest_second_person",
            ),
            models.CheckConstraint(condition=~models.Q(requested_by=models.F("user")), name="grantrequest_not_self"),
            models.UniqueConstraint(fields=["user", "unit", "role"], condition=models.Q(status="pending"),
                                    name="grantrequest_one_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()} ({self.get_status_display()})"


class GrantRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("the grant record is append-only")

    def delete(self):
        raise TypeError("the grant record is append-only")


class GrantRecord(models.Model):
    """One line of the grant audit trail: who did what to whose role, when and why. Append-only (the database
    refuses an UPDATE too); read by the auditor at /org/grants/audit/."""

    class Event(models.TextChoices):
        REQUESTED = "requested", _("Asked for")
        APPROVED = "approved", _("Approved (in effect)")
        REFUSED = "refused", _("Refused")
        REVOKED = "revoked", _("Revoked")
        SEEDED = "seeded", _("Set up by the platform")
        DENIED = "denied", _("Attempt refused by the rules")

    at = models.DateTimeField(_("when"), db_index=True)
    event = models.CharField(_("what"), max_length=10, choices=Event.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("whose role"), on_delete=models.PROTECT,
                                related_name="+")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    basis = models.CharField(_("basis"), max_length=100, blank=True,
                             help_text=_("For a platform set-up: which one (e.g. the demo); for a refusal: the rule."))
    request = models.ForeignKey(GrantRequest, verbose_name=_("request"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="records")

    objects = GrantRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("grant record")
        verbose_name_plural = _("grant records")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(event__in=["requested", "approved", "refused", "revoked", "seeded", "denied"]),
                name="grantrecord_event_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.event} {self.subject_id} {self.role}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("the grant record is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("the grant record is append-only")


class BoundaryChange(models.Model):
    """One change of a region's outline (fengqiao.org.boundary_services): who, when, what it was and became.

    Outlines are compared by the SHA-256 of their canonical GeoJSON (fengqiao.org.boundaries.geometry_hash); the
    outline itself lives on the region. Rows are only ever added.
    """

    class Action(models.TextChoices):
        SET = "set", _("Outline loaded")
        REMOVED = "removed", _("Outline removed")

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.CASCADE,
                               related_name="boundary_changes")
    at = models.DateTimeField(_("when"), db_index=True)
    action = models.CharField(_("what"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    via = models.CharField(_("through"), max_length=20, help_text=_("page or command"))
    old_sha256 = models.CharField(_("old outline (SHA-256)"), max_length=64, blank=True)
    new_sha256 = models.CharField(_("new outline (SHA-256)"), max_length=64, blank=True)
    source_crs = models.CharField(_("coordinate system of the file"), max_length=8, blank=True)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    vertices = models.PositiveIntegerField(_("points"), null=True, blank=True)
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True)

    class Meta:
        verbose_name = _("boundary change")
        verbose_name_plural = _("boundary changes")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(action__in=["set", "removed"]), name="boundarychange_action_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.region_id}"
