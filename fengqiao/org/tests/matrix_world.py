"""The world the authorization matrix walks: one signed-in user per principal of fengqiao.org.policy, and one object
of every kind a URL names (a case, its attachments, a mediation with its team and sessions, an effective agreement
with a follow-up visit, a judicial-confirmation application, a pre-litigation linkage, a referral, a petition, a
psychological-service engagement with a grant, an import batch, a booking, a partner's webhook).

Everything is built through the services (or, for rows no page creates, the models) once per test module, inside
the module's transaction (`module_db`), so it is gone after the module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fengqiao.org import policy as P

HOME_COMMUNITY = "440311001001"  # 光明街道 光明社区
PETITION_OFFICE = "光明区信访局"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")


@dataclass
class World:
    users: dict[str, object]  # principal -> user (None for the anonymous visitor)
    objects: dict[str, object] = field(default_factory=dict)
    api_keys: dict[str, str | None] = field(default_factory=dict)  # API principal -> raw key

    def __getattr__(self, name: str):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


def _staff(username: str, unit, role: str, **extra):
    from fengqiao.org.services import staff_user_create

    user = staff_user_create(username=username, password="Matrix-pass-2026", name=username,
                             memberships=[(unit, role)])
    if extra:
        for key, value in extra.items():
            setattr(user, key, value)
        user.save(update_fields=list(extra))
    return user


def _principals(cast, org) -> dict[str, object]:
    """One user per principal. A role the cast lacks (a duty role added later) gets a member of the district centre,
    so a new Role is walked as soon as it exists and must be declared in the table."""
    from fengqiao.mediation.models import MediatorKind, Specialty
    from fengqiao.mediation.services import mediator_register
    from fengqiao.org.models import OrgUnit, Role

    by_role = {
        Role.STATION_STAFF: cast.station,
        Role.OPERATOR: cast.op_community,
        Role.HANDLER: cast.handler,  # 光明区人力资源局: the sample case is dispatched there
        Role.MEDIATOR: cast.mediator,  # 光明街道人民调解委员会: runs the sample mediation
        Role.COURT_CLERK: cast.court,  # 光明区法院: the sample application is filed there
        Role.LEADER: cast.leader,
        Role.GRID_WORKER: cast.grid,
        Role.VOLUNTEER: cast.volunteer,
        Role.AUDITOR: cast.auditor,
    }
    # The administrator of the Django admin: the administrator role, is_staff (as the demo's gm_admin).
    by_role[Role.ADMINISTRATOR] = _staff("t_matrix_admin", org.district_centre, Role.ADMINISTRATOR, is_staff=True)
    users: dict[str, object] = {P.ANONYMOUS: None, P.TRACKER: None, P.OUTSIDER: cast.outsider, P.RESIDENT: cast.resident}
    for role in Role.values:
        users[role] = by_role.get(role) or _staff(f"t_matrix_{role}", org.district_centre, role)
    psychologist = _staff("t_matrix_psychologist", org.mediation, Role.MEDIATOR)
    mediator_register(user=psychologist, unit=org.mediation, kind=MediatorKind.PSYCHOLOGIST,
                      specialties=[Specialty.PSYCHOLOGY])
    users[P.COUNSELLOR] = psychologist
    users[P.PETITION_OFFICER] = _staff("t_matrix_petition", OrgUnit.objects.get(name=PETITION_OFFICE), Role.HANDLER)
    users[P.OPERATOR_ELSEWHERE] = cast.luohu_op
    users[P.HANDLER_ELSEWHERE] = cast.handler_other
    missing = set(P.PRINCIPALS) - set(users)
    assert not missing, f"no test user for the principals {sorted(missing)}: add them in matrix_world._principals"
    return users


def _case_world(world: World, cast, org, make) -> None:
    from fengqiao.cases import services as cs
    from fengqiao.cases.models import Party

    resident = world.users[P.RESIDENT]
    case = make(HOME_COMMUNITY, title="小区道路破损", description="小区门口道路破损，多次反映未修复。",
                applicant_user=resident,
                parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="王小梅", phone="13912345678",
                                       id_type="resident_id", id_number="440311199001011234")])
    cs.case_accept(case=case, actor=cast.op_community)
    # Held by 光明区人力资源局; the mediation committee and the court assist, so every role that can ever see a
    # case sees this one (roles decide, not the scope), except the members elsewhere.
    cs.case_dispatch(case=case, actor=cast.op_community, unit=org.hr, assisting=[org.mediation, org.court])
    case.refresh_from_db()
    world.objects["case"] = case
    world.objects["public_file"] = cs.case_attach(
        case=case, actor=None, upload=SimpleUploadedFile("photo.png", PNG, content_type="image/png"), is_public=True)
    world.objects["private_file"] = cs.case_attach(
        case=case, actor=cast.op_community, upload=SimpleUploadedFile("memo.png", PNG + b"memo", content_type="image/png"),
        is_public=False)
    # A case not yet reviewed (the triage panel and "accept" work on it).
    submitted = make(HOME_COMMUNITY, title="路灯不亮", description="小区门口路灯坏了一个星期。", applicant_user=resident)
    world.objects["submitted"] = submitted


def _mediation_world(world: World, cast, org, make) -> None:
    from fengqiao.cases import services as cs
    from fengqiao.cases.models import Case, Party, ServiceType
    from fengqiao.legal.linkages import pre_litigation_send, referral_send
    from fengqiao.legal.services import application_file
    from fengqiao.legal.tests.conftest import arbitration_unit, make_agreement
    from fengqiao.mediation import agreements as svc_agreements
    from fengqiao.mediation.models import (
        Attendee,
        AttendeeRole,
        Booking,
        FollowUp,
        Mediation,
        MediatorProfile,
        Session,
        TeamMember,
        TeamRole,
    )

    resident = world.users[P.RESIDENT]
    now = timezone.now()
    # An open mediation with a team member, a held session and an attendee.
    dispute = make(HOME_COMMUNITY, service_type=ServiceType.MEDIATION, title="装修噪音邻里纠纷",
                   description="邻居装修长期噪音扰民，协商无果，请求调解。", applicant_user=resident,
                   parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="王小梅", phone="13800138000"),
                            cs.PartyInput(role=Party.PartyRole.RESPONDENT, name="李建国", phone="13900139000")])
    cs.case_accept(case=dispute, actor=cast.op_community)
    cs.case_dispatch(case=dispute, actor=cast.op_community, unit=org.mediation, assisting=[org.hr, org.court])
    mediation = Mediation.objects.create(case=dispute, unit=org.mediation, mediator=cast.mediator,
                                         facts=dispute.description, matters=dispute.title, opened_at=now,
                                         due_at=now + timedelta(days=30))
    member = TeamMember.objects.create(mediation=mediation, user=world.users[P.COUNSELLOR], role=TeamRole.PSYCHOLOGIST)
    session = Session.objects.create(mediation=mediation, seq=1, scheduled_at=now - timedelta(hours=2), place="调解室",
                                     status=Session.Status.HELD, held_at=now - timedelta(hours=1), record="双方陈述",
                                     recorded_by=cast.mediator)
    attendee = Attendee.objects.create(session=session, name="王小梅", role=AttendeeRole.APPLICANT,
                                       party=dispute.parties.first())
    world.objects.update(mediation=mediation, team_member=member, session=session, attendee=attendee)

    # An effective agreement on a concluded mediation, filed for judicial confirmation, with a follow-up visit.
    agreement = make_agreement(cast, org, make)
    Case.objects.filter(pk=agreement.mediation.case_id).update(applicant_user=resident)
    for unit in (org.hr, org.court):
        cs.case_assist(case=Case.objects.get(pk=agreement.mediation.case_id), actor=None, unit=unit)
    svc_agreements.agreement_attach_scan(
        agreement=agreement, actor=cast.mediator, upload=SimpleUploadedFile("scan.png", PNG, content_type="image/png"))
    agreement.refresh_from_db()
    followup = FollowUp.objects.create(agreement=agreement, due_on=timezone.localdate() + timedelta(days=7))
    application = application_file(agreement=agreement, actor=cast.mediator, court=org.court)
    world.objects.update(agreement=agreement, followup=followup, application=application)
    # Labour arbitration referral of the dispute, and a court-invited pre-litigation mediation.
    world.objects["referral"] = referral_send(case=dispute, actor=cast.mediator, kind="arbitration",
                                              to_unit=arbitration_unit(), mediation=mediation)
    from fengqiao.org.models import Region

    world.objects["linkage"] = linkage = pre_litigation_send(
        court=org.court, committee=org.mediation, actor=cast.court, title="买卖合同纠纷",
        description="货款三万元未付，原告起诉前同意先行调解。", region=Region.objects.get(code=HOME_COMMUNITY),
        parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="赵六", phone="13700137000"),
                 cs.PartyInput(role=Party.PartyRole.RESPONDENT, name="钱七", phone="13600136000")])
    # Its case waits at the committee for a mediation to be opened (mediation:open_case); HR and the court assist.
    for unit in (org.hr, org.court):
        cs.case_assist(case=Case.objects.get(pk=linkage.case_id), actor=None, unit=unit)
    # A resident's booking with the mediator (signed in: it is theirs without the phone digits).
    profile = MediatorProfile.objects.get(user=cast.mediator)
    from fengqiao.mediation.models import MediatorHours

    start = timezone.localtime(now + timedelta(days=3)).replace(hour=14, minute=0, second=0, microsecond=0)
    MediatorHours.objects.get_or_create(mediator=profile, weekday=start.weekday(),
                                        defaults={"start": time(14), "end": time(17), "slot_minutes": 60})
    world.objects["profile"] = profile
    world.objects["booking"] = Booking.objects.create(
        mediator=profile, starts_at=start, ends_at=start + timedelta(hours=1), name="王小梅", phone="13800138000",
        resident=resident, matter="楼上邻居每天深夜噪音，多次沟通无果。")


def _petition_world(world: World, cast) -> None:
    from fengqiao.cases.models import Party
    from fengqiao.petitions.services import petition_accept, petition_register

    case, officer = world.objects["case"], world.users[P.PETITION_OFFICER]
    petition = petition_register(case=case, actor=officer, matter="道路破损多次反映未修复",
                                 petitioners=list(case.parties.filter(role=Party.PartyRole.APPLICANT)), form="letter")
    world.objects["petition"] = petition_accept(petition=petition, actor=officer, organ=cast.handler.memberships.first().unit)


def _counselling_world(world: World, cast, org, make) -> None:
    from fengqiao.cases import services as cs
    from fengqiao.cases.models import ServiceType
    from fengqiao.counselling import services as svc
    from fengqiao.counselling.models import ConsentMethod, SessionMode
    from fengqiao.org.models import Role

    counsellor = world.users[P.COUNSELLOR]
    case = make(HOME_COMMUNITY, service_type=ServiceType.PSYCHOLOGICAL, title="家庭矛盾导致情绪困扰",
                description="女儿高考失利后与父母争吵不断，母亲连续失眠。", consent_sensitive=True,
                applicant_user=world.users[P.RESIDENT])
    cs.case_accept(case=case, actor=cast.op_community)
    cs.case_dispatch(case=case, actor=cast.op_community, unit=org.mediation)
    engagement = svc.engagement_open(case=case, counsellor=counsellor, actor=counsellor)
    svc.engagement_consent_record(engagement=engagement, actor=counsellor, consent_by="本人",
                                  consent_at=timezone.now() - timedelta(minutes=5), method=ConsentMethod.WRITTEN)
    svc.record_add(engagement=engagement, actor=counsellor, held_on=timezone.localdate(), mode=SessionMode.IN_PERSON,
                   duration_minutes=50, notes="来访者自述长期失眠。", assessment="中度焦虑", plan="每周一次")
    colleague = _staff("t_matrix_colleague", org.mediation, Role.MEDIATOR)
    grant = svc.grant_create(engagement=engagement, actor=counsellor, user=colleague, reason="共同跟进家庭调解",
                             expires_at=timezone.now() + timedelta(days=7))
    world.objects.update(engagement=engagement, grant=grant, psy_case=case)


def _import_world(world: World, cast) -> None:
    from fengqiao.imports.services import batch_create, mapping_default
    from fengqiao.imports.tests.conftest import make_csv, row

    world.objects["batch"] = batch_create(mapping=mapping_default(), name="12345.csv", content=make_csv([row()]),
                                          user=cast.op_community)


def _partner_world(world: World, org) -> None:
    """API keys, one per API principal (fengqiao.org.policy.API_PRINCIPALS), and a webhook of the 'cases' key."""
    from fengqiao.api.models import ApiScope
    from fengqiao.api.services import api_client_create, webhook_subscribe
    from fengqiao.org.models import Role

    keys: dict[str, str | None] = {P.API_NO_KEY: None}
    clients = {}
    for principal, scopes, unit, role in (
        (P.API_OPEN311, [ApiScope.OPEN311], org.district_centre, Role.OPERATOR),
        (P.API_READ, [ApiScope.CASES_READ], org.district_centre, Role.OPERATOR),
        (P.API_CASES, [ApiScope.CASES], org.district_centre, Role.OPERATOR),
        (P.API_CASES_PII, [ApiScope.CASES, ApiScope.PII], org.district_centre, Role.OPERATOR),
        (P.API_COURT, [ApiScope.CASES], org.court, Role.COURT_CLERK),
        (P.API_ELSEWHERE, [ApiScope.CASES, ApiScope.PII], org.luohu_centre, Role.OPERATOR),
    ):
        client, key = api_client_create(name=f"matrix-{principal}", scopes=list(scopes), memberships=[(unit, role)])
        keys[principal], clients[principal] = key, client
    world.api_keys = keys
    world.objects["webhook"] = webhook_subscribe(client=clients[P.API_CASES], url="http://127.0.0.1:9/hooks",
                                                 events=["case.created"])
    world.objects["api_clients"] = clients


def _privacy_world(world: World, cast) -> None:
    """The resident's request for a copy of their data, answered by their centre (so the copy is ready)."""
    from fengqiao.privacy import services as privacy
    from fengqiao.privacy.models import DataRequest

    resident = world.users[P.RESIDENT]
    req = privacy.data_request_create(kind=DataRequest.Kind.ACCESS, channel=DataRequest.Channel.PORTAL,
                                      name="王小梅", phone="13912345678", resident=resident)
    # Answered by the community centre of the sample case (the operator principal's unit).
    DataRequest.objects.filter(pk=req.pk).update(unit=cast.op_community.memberships.first().unit)
    req.refresh_from_db()
    world.objects["data_request"] = privacy.data_request_answer(request=req, actor=cast.op_community)


def _grant_world(world: World, org) -> None:
    """A role the administrator asked for someone, waiting for the security officer (the second person)."""
    from fengqiao.accounts.models import User
    from fengqiao.org.grants import membership_request
    from fengqiao.org.models import Role

    newcomer = User.objects.create_user(username="t_matrix_newcomer", password="Matrix-pass-2026", name="新同事")
    world.objects["grant_request"] = membership_request(
        actor=world.users[Role.ADMINISTRATOR], user=newcomer, unit=org.community_centre, role=Role.STATION_STAFF,
        reason="新入职服务站工作人员")


def _leadership_world(world: World, cast, org) -> None:
    """The leader owns the sample case (包案) and is on duty at a service point of the community tomorrow."""
    from fengqiao.leadership.models import DutyShift, Ownership
    from fengqiao.org.models import ServicePoint

    now = timezone.now()
    world.objects["ownership"] = Ownership.objects.create(
        case=world.objects["case"], leader=cast.leader, unit=org.district_centre, reason="多次反映未解决",
        basis="old", taken_at=now)
    point = ServicePoint.objects.filter(is_active=True, region__code=HOME_COMMUNITY).order_by("pk").first()
    world.objects["shift"] = DutyShift.objects.create(
        leader=cast.leader, scheduled_by=cast.leader, service_point=point, starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=1))


def _command_world(world: World, cast, org) -> None:
    """Two commands on the sample case: one the community centre issued to the HR bureau (the handler checks in,
    the operator closes it), one the district centre drew up that waits for its leader's signature."""
    from fengqiao.commands.models import CheckIn, Command, CommandTarget

    now = timezone.now()
    case = world.objects["case"]
    policy = {"checkin_amount": 30, "checkin_unit": "minutes", "min_rank": 2, "headcount": 1, "on_site": False,
              "max_distance_m": 500}
    issued = Command.objects.create(number=f"{case.code}-L1", case=case, level="urgent", status="issued",
                                    issuer_unit=org.community_centre, issued_by=cast.op_community,
                                    signed_by=cast.op_community, instructions="请到现场处置", created_at=now,
                                    issued_at=now, due_at=now + timedelta(minutes=30), **policy)
    world.objects["command"] = issued
    world.objects["command_target"] = CommandTarget.objects.create(command=issued, unit=org.hr)
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from fengqiao.org.models import OrgUnit

    # a third unit no principal belongs to checked in with a photo
    third = OrgUnit.objects.filter(region=org.hr.region, kind=org.hr.kind).exclude(
        pk__in=[org.hr.pk, org.housing.pk]).order_by("pk").first()
    other = CommandTarget.objects.create(command=issued, unit=third, status="checked_in", checked_in_at=now)
    photo = default_storage.save("checkins/matrix.jpg", ContentFile(b"\xff\xd8\xff\xe0 matrix photo"))
    world.objects["checkin"] = CheckIn.objects.create(target=other, mode="online", at=now, by=cast.op_district,
                                                      photo=photo)
    awaiting = Command.objects.create(number=f"{case.code}-L2", case=case, level="major", status="awaiting",
                                      issuer_unit=org.district_centre, issued_by=cast.op_district,
                                      instructions="请到现场", created_at=now, **policy)
    CommandTarget.objects.create(command=awaiting, unit=org.hr)
    world.objects["command_awaiting"] = awaiting


def _backlog_world(world: World, cast, org) -> None:
    """A campaign of the community centre holding the sample case."""
    from fengqiao.backlog.models import Campaign, CampaignCase

    now = timezone.now()
    case = world.objects["case"]
    campaign = Campaign.objects.create(name="存量清零", district=case.region.district, owner=cast.op_community,
                                       created_by=cast.op_community, created_at=now)
    world.objects["campaign"] = campaign
    world.objects["campaign_entry"] = CampaignCase.objects.create(campaign=campaign, case=case, added_at=now)


def _warning_world(world: World, cast, org) -> None:
    """An open warning about the sample case's community, owned by the department holding it (光明区人力资源局)."""
    from fengqiao.warnings.models import Warning, WarningCase

    now = timezone.now()
    case = world.objects["case"]
    warning = Warning.objects.create(kind="respondent", key="respondent:matrix", level="orange",
                                     district=case.region.district, place=case.region, owner_unit=org.hr,
                                     title={"msg": "Many cases against one respondent"}, reason={"msg": "matrix"},
                                     count=1, started_at=now, raised_at=now, last_seen_at=now)
    WarningCase.objects.create(warning=warning, case=case)
    world.objects["warning"] = warning


def build_world(cast, org, make) -> World:
    from fengqiao.open311.tests.catalogue import bulk_categories

    bulk_categories()
    world = World(users=_principals(cast, org))
    _case_world(world, cast, org, make)
    _mediation_world(world, cast, org, make)
    _petition_world(world, cast)
    _counselling_world(world, cast, org, make)
    _import_world(world, cast)
    _partner_world(world, org)
    _privacy_world(world, cast)
    _grant_world(world, org)
    _leadership_world(world, cast, org)
    _command_world(world, cast, org)
    _backlog_world(world, cast, org)
    _warning_world(world, cast, org)
    return world
