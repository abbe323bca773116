"""The demo seeder: idempotent, built through the services, and lived-in (cases in many states)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from fengqiao.accounts.models import User
from fengqiao.cases.models import Case, CaseEvent
from fengqiao.cases.timeline import replay
from fengqiao.core.demo import seed_demo
from fengqiao.counselling.models import Engagement
from fengqiao.legal.models import ConfirmationApplication, Referral
from fengqiao.mediation.models import Agreement, Booking, Mediation
from fengqiao.org.models import Membership, OrgUnit, Region, ServicePoint
from fengqiao.petitions.models import Petition

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Region, OrgUnit, ServicePoint, User, Membership, Case, CaseEvent, Booking, Mediation, Agreement,
                      ConfirmationApplication, Referral, Petition, Engagement)
    }


def test_seed_demo_twice_is_idempotent_and_lived_in(cast, capsys):
    logins, stats = seed_demo(cases=12)
    assert stats["cases_created"] == 12
    assert stats["district_centres"] == 2
    assert {login.username for login in logins} >= {"gm_district_op", "gm_handler_hr", "gm_auditor", "lh_operator"}
    after_first = _counts()
    # Mediation and the legal routes are lived in too: bookings, mediations, agreements that took effect,
    # judicial confirmations, petitions and a psychological service.
    assert all(after_first[name] > 0 for name in ("Booking", "Mediation", "Agreement", "ConfirmationApplication",
                                                  "Referral", "Petition", "Engagement"))
    assert Agreement.objects.filter(status=Agreement.Status.EFFECTIVE).exists()
    assert {"gm_petition", "gm_petition_head"} <= {login.username for login in logins}

    call_command("seed_demo", cases=12)  # the second run, as `./fq demo` does it
    out = capsys.readouterr().out
    assert "(0 new)" in out
    assert "gm_district_op" in out and "gm_resident" in out
    assert _counts() == after_first

    demo = Case.objects.filter(source_system="demo")
    assert demo.count() == 12
    assert len(set(demo.values_list("status", flat=True))) >= 3
    for case in demo:
        events = list(case.events.all())
        assert events[0].action == "submit"
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert replay(events) == {
            "status": case.status,
            "holder_unit": case.holder_unit_id,
            "reopen_count": case.reopen_count,
        }


def test_demo_texts_are_set_in_guangming_without_the_data_sets_letter_codes():
    from fengqiao.core.demo import _localise

    text = _localise("西地省A市A3区的学校、C4市和J11市的工厂、K8县的村道，A栋3楼")
    assert text == "广东省深圳市光明区的学校、光明区和光明区的工厂、光明区的村道，A栋3楼"
