"""Every intake channel's way into cases.services.case_submit: once per submission token, files included.

The channel (public form, staff entry, grid report) collects a `Submission`; `intake_submit`
runs case_submit and case_attach in one transaction recorded by fengqiao.intake.idempotency,
so a double tap or a re-sent POST answers with the first case, and the case is committed
before the caller renders anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, Category, Party
from fengqiao.intake.files import check_upload
from fengqiao.intake.idempotency import run_once
from fengqiao.org.models import Region, ServicePoint


@dataclass
class Submission:
    channel: str
    service_type: str
    description: str
    region: Region
    title: str = ""
    category: Category | None = None
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    service_point: ServicePoint | None = None
    people_count: int = 1
    amount: Decimal | None = None
    applicant_name: str = ""
    applicant_phone: str = ""
    respondent: str = ""
    is_anonymous: bool = False
    consent_contact: bool = True
    consent_sensitive: bool = False
    applicant_user: object = None
    reporter: object = None
    files: list = field(default_factory=list)

    def parties(self) -> list[cs.PartyInput]:
        parties = []
        if self.applicant_name or self.applicant_phone:
            parties.append(cs.PartyInput(role=Party.PartyRole.APPLICANT, name=self.applicant_name or "—",
                                         phone=self.applicant_phone))
        if self.respondent:
            parties.append(cs.PartyInput(role=Party.PartyRole.RESPONDENT, name=self.respondent))
        return parties

    def fingerprint(self) -> dict:
        """What makes two posts the same request (a replay), file contents included."""
        return {
            "channel": self.channel, "service_type": self.service_type, "description": self.description,
            "title": self.title, "region": self.region.code, "category": self.category.pk if self.category else None,
            "address": self.address, "lat": self.latitude, "lng": self.longitude,
            "point": self.service_point.pk if self.service_point else None, "people": self.people_count,
            "amount": str(self.amount) if self.amount is not None else None, "name": self.applicant_name,
            "phone": self.applicant_phone, "respondent": self.respondent, "anonymous": self.is_anonymous,
            "user": getattr(self.applicant_user, "pk", None), "reporter": getattr(self.reporter, "pk", None),
            "files": [check_upload(f)[2] for f in self.files],
        }


def intake_submit(submission: Submission, *, scope: str, key: str, extra=None) -> tuple[Case, bool]:
    """(case, replayed). `extra(case)` runs in the same transaction (e.g. the grid channel's own record).

    Raises django ValidationError from the services (nothing is saved then) and
    fengqiao.intake.idempotency.IdempotencyConflict when the key was used for a different submission.
    """
    s = submission

    def action():
        case = cs.case_submit(
            channel=s.channel, service_type=s.service_type, title=s.title, description=s.description,
            region=s.region, category=s.category, people_count=s.people_count or 1, amount=s.amount,
            parties=s.parties(), address=s.address, latitude=s.latitude, longitude=s.longitude,
            service_point=s.service_point, applicant_user=s.applicant_user, reporter=s.reporter,
            is_anonymous=s.is_anonymous, consent_contact=s.consent_contact, consent_sensitive=s.consent_sensitive,
        )
        actor = s.reporter or s.applicant_user
        for upload in s.files:
            cs.case_attach(case=case, actor=actor, upload=upload)
        if extra is not None:
            extra(case)
        return 201, {"code": case.code}, case

    outcome = run_once(scope=scope, key=key, payload=s.fingerprint(), action=action)
    return Case.objects.get(code=outcome.body["code"]), outcome.replayed
