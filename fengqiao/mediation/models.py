"""Mediators and what they are good at (MISSION §8). Sessions and agreements come with the mediation issue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.org.models import OrgUnit, ServicePoint


class MediatorKind(models.TextChoices):
    PEOPLES_MEDIATOR = "peoples_mediator", _("People's mediator")
    LAWYER = "lawyer", _("Lawyer")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    JUDGE = "judge", _("Judge stationed in the community")
    PROSECUTOR = "prosecutor", _("Prosecutor stationed in the community")
    FIVE_ELDERS = "five_elders", _("“Five elders” volunteer")
    INDUSTRY = "industry", _("Industry mediation committee")


class Specialty(models.TextChoices):
    FAMILY = "family", _("Marriage and family")
    NEIGHBOUR = "neighbour", _("Neighbours")
    LABOUR = "labour", _("Labour and wages")
    PROPERTY = "property", _("Property management")
    CONSUMER = "consumer", _("Consumer")
    MEDICAL = "medical", _("Medical")
    TRAFFIC = "traffic", _("Traffic accidents")
    LAND = "land", _("Land and housing")
    PSYCHOLOGY = "psychology", _("Psychological counselling")
    COMMERCIAL = "commercial", _("Commercial")


class MediatorProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mediator_profile",
                                verbose_name=_("user"))
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="mediators")
    kind = models.CharField(_("kind"), max_length=20, choices=MediatorKind.choices)
    specialties = models.JSONField(_("specialties"), default=list)
    languages = models.CharField(_("languages"), max_length=100, default="普通话")
    service_point = models.ForeignKey(
        ServicePoint, verbose_name=_("service point"), null=True, blank=True, on_delete=models.SET_NULL
    )
    bio = models.TextField(_("about"), blank=True)
    is_available = models.BooleanField(_("available"), default=True)

    class Meta:
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")

    def __str__(self) -> str:
        return str(self.user)

    def specialty_labels(self) -> list[str]:
        return [str(Specialty(s).label) for s in self.specialties if s in Specialty.values]
