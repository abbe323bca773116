"""Test-wide settings and the named cast of users every test may ask for.

- Passwords hash with MD5 (fast); django-axes is off unless a test turns it on
  (``settings.AXES_ENABLED = True``); staff 2FA stays on as in production.
- Outbound network is blocked: only loopback and Unix sockets connect.
- The real organisation of Guangming and Luohu is loaded once per test database
  (per xdist worker), through the loaders; the cast is built through the org services.
- Tests marked ``redis`` are deselected (never skipped) unless REDIS_URL is set.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test.utils import override_settings

GM, LH = "440311", "440303"
HOME_COMMUNITY = "440311001001"  # 光明街道 光明社区

# username -> (role, unit name). Names are those of fengqiao/org/data (loaded by the loaders).
STAFF_CAST: dict[str, tuple[str, str]] = {
    "t_op_district": ("operator", "光明区群众诉求服务大厅"),
    "t_op_street": ("operator", "光明街道群众诉求服务大厅"),
    "t_op_community": ("operator", "光明社区群众诉求服务中心"),
    "t_station": ("station_staff", "光明社区群众诉求服务中心"),
    "t_handler": ("handler", "光明区人力资源局"),
    "t_handler_other": ("handler", "光明区住房建设局"),
    "t_mediator": ("mediator", "光明街道人民调解委员会"),
    "t_court": ("court_clerk", "光明区法院"),
    "t_leader": ("leader", "光明区群众诉求服务大厅"),
    "t_grid": ("grid_worker", "光明社区群众诉求服务中心"),
    "t_volunteer": ("volunteer", "光明社区群众诉求服务中心"),
    "t_admin": ("administrator", "光明区群众诉求服务大厅"),
    "t_auditor": ("auditor", "光明区群众诉求服务大厅"),
    "t_luohu_op": ("operator", "罗湖区综治中心"),
}
PLAIN_CAST = ("t_resident", "t_outsider")  # no membership: a resident, and someone with no business here
CAST_PASSWORD = "Cast-pass-2026"


# --- test-wide settings ---------------------------------------------------------------

TEST_SETTINGS = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "AXES_ENABLED": False,
}


class OutboundNetworkBlocked(OSError):
    """A test tried to reach beyond this machine."""


def _is_local(address) -> bool:
    if not isinstance(address, tuple):  # AF_UNIX path
        return True
    host = address[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name other than localhost would be resolved and reached


@pytest.fixture(scope="session", autouse=True)
def _fq_test_settings():
    overrides = override_settings(**TEST_SETTINGS)
    overrides.enable()
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def guarded(real):
        def connect(sock, address):
            if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address):
                raise OutboundNetworkBlocked(f"Tests may not reach the network ({address!r}).")
            return real(sock, address)

        return connect

    socket.socket.connect = guarded(real_connect)
    socket.socket.connect_ex = guarded(real_connect_ex)
    try:
        yield
    finally:
        socket.socket.connect, socket.socket.connect_ex = real_connect, real_connect_ex
        overrides.disable()


@pytest.fixture(autouse=True)
def _fq_language_reset():
    """Each test starts in the default language: a request in one test must not switch the next one's."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


def pytest_collection_modifyitems(config, items):
    """Redis tests run only when REDIS_URL is configured; otherwise they are deselected, not skipped."""
    if getattr(settings, "REDIS_URL", None):
        return
    deselected = [item for item in items if item.get_closest_marker("redis")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("redis")]


# --- the organisation and the cast ----------------------------------------------------


def build_baseline() -> None:
    """Load both districts and create the cast (idempotent: the loaders and services update in place)."""
    from fengqiao.accounts.models import User
    from fengqiao.mediation.models import MediatorKind, Specialty
    from fengqiao.mediation.services import mediator_register
    from fengqiao.org.loaders import load_district
    from fengqiao.org.models import OrgUnit, Role
    from fengqiao.org.services import staff_user_create

    load_district(GM)
    load_district(LH, stations_per_community=0)
    for username, (role, unit_name) in STAFF_CAST.items():
        unit = OrgUnit.objects.get(name=unit_name)
        user = staff_user_create(username=username, password=CAST_PASSWORD, name=username, memberships=[(unit, role)])
        if role == Role.MEDIATOR:
            mediator_register(user=user, unit=unit, kind=MediatorKind.PEOPLES_MEDIATOR, specialties=[Specialty.LABOUR])
    for username in PLAIN_CAST:
        if not User.objects.filter(username=username).exists():
            User.objects.create_user(username=username, password=CAST_PASSWORD, name=username)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, _fq_test_settings):
    """The test database (one per xdist worker) with the organisation and the cast, loaded once."""
    with django_db_blocker.unblock():
        build_baseline()


@dataclass
class Cast:
    op_district: object
    op_street: object
    op_community: object
    station: object
    handler: object
    handler_other: object
    mediator: object
    court: object
    leader: object
    grid: object
    volunteer: object
    admin: object
    auditor: object
    luohu_op: object
    resident: object
    outsider: object

    def items(self) -> list[tuple[str, object]]:
        return list(vars(self).items())


def load_cast() -> Cast:
    """The cast as fresh user objects (so no access scope is cached from an earlier test)."""
    from fengqiao.accounts.models import User

    usernames = [*STAFF_CAST, *PLAIN_CAST]
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    if len(users) != len(usernames):
        # A transactional test flushed the database earlier in this worker: load again.
        build_baseline()
        users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    return Cast(**{name.removeprefix("t_"): users[name] for name in usernames})


@dataclass
class Org:
    """Units and regions the tests name often."""

    district_centre: object
    street_centre: object
    community_centre: object
    hr: object  # 光明区人力资源局
    housing: object  # 光明区住房建设局
    mediation: object  # 光明街道人民调解委员会
    court: object
    luohu_centre: object

    @staticmethod
    def region(code: str):
        from fengqiao.org.models import Region

        return Region.objects.get(code=code)


ORG_UNITS = {
    "district_centre": "光明区群众诉求服务大厅",
    "street_centre": "光明街道群众诉求服务大厅",
    "community_centre": "光明社区群众诉求服务中心",
    "hr": "光明区人力资源局",
    "housing": "光明区住房建设局",
    "mediation": "光明街道人民调解委员会",
    "court": "光明区法院",
    "luohu_centre": "罗湖区综治中心",
}


def load_org() -> Org:
    from fengqiao.org.models import OrgUnit

    units = {u.name: u for u in OrgUnit.objects.filter(name__in=ORG_UNITS.values())}
    return Org(**{key: units[name] for key, name in ORG_UNITS.items()})


def case_maker() -> Callable:
    """A function make(community_code, **overrides) -> a freshly submitted Case, through case_submit."""
    from fengqiao.cases.models import Channel, ServiceType
    from fengqiao.cases.services import case_submit
    from fengqiao.org.models import Region

    counter = iter(range(1, 100_000))

    def make(community: str = HOME_COMMUNITY, **overrides):
        n = next(counter)
        fields = {
            "channel": Channel.WEB,
            "service_type": ServiceType.COMPLAINT,
            "title": f"测试诉求 {n}",
            "description": f"小区门口道路破损，多次反映未修复（测试 {n}）。",
            "region": Region.objects.get(code=community),
        }
        fields.update(overrides)
        return case_submit(**fields)

    return make


@pytest.fixture
def cast(db) -> Cast:
    return load_cast()


@pytest.fixture
def org(cast) -> Org:
    return load_org()


@pytest.fixture
def client_for():
    """client_for(user) -> a test client signed in as `user`, second factor passed for staff."""
    from django.test import Client

    from fengqiao.accounts.tests.conftest import verify

    def make(user) -> Client:
        client = Client()
        verify(client, user)
        return client

    return make


@pytest.fixture
def make_case(cast) -> Callable:
    """make_case(community_code, **overrides) -> a freshly submitted Case, through case_submit."""
    return case_maker()


@dataclass(frozen=True)
class Builders:
    """The plain builders behind `cast`, `org` and `make_case`, for module-scoped fixtures."""

    load_cast: Callable[[], Cast] = load_cast
    load_org: Callable[[], Org] = load_org
    case_maker: Callable[[], Callable] = case_maker


@pytest.fixture(scope="session")
def builders() -> Builders:
    return Builders()


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """A transaction around a whole test module, rolled back after it, for data the module's tests share.

    A module-scoped fixture that depends on this one may write through the services once (e.g. with
    ``load_cast()``, ``load_org()`` and ``case_maker()``); each test then runs in a savepoint inside this
    transaction, so what a test writes is undone after it and the shared data is gone after the module.
    """
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


# --- the category catalogue and the responsibility list (triage and routing tests) ----------


@pytest.fixture(scope="module")
def _catalogue(module_db):
    """The shipped category catalogue, loaded once per module (each test runs in a savepoint inside the
    module's transaction, so what a test writes is gone after it)."""
    from fengqiao.core.demo import load_categories

    load_categories()


@pytest.fixture(scope="module")
def _shipped(_catalogue):
    """Guangming's shipped responsibility list, once per module: a module that asks for it has it in every test."""
    from fengqiao.routing.services import load_default_rules

    return load_default_rules("440311")


@pytest.fixture
def catalogue(_catalogue, db):
    """The category catalogue."""


@pytest.fixture
def gm_rules(_shipped, org):
    """The shipped responsibility list of Guangming; the number of rules it holds."""
    return _shipped
