"""The responsibility list as stored rules: saving, versions, validity, and the refusals (unknown category, unit
outside the district, contradiction, loop) with messages an administrator can act on. (The shipped list: test_shipped.)"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from fengqiao.org.models import OrgUnit
from fengqiao.routing.models import ResponsibilityRule, RuleRevision
from fengqiao.routing.services import centre_at_level, load_default_rules, rule_save
from fengqiao.routing.tests.helpers import cat, place, routed

pytestmark = pytest.mark.django_db



class _Outside:
    def __mod__(self, values):
        return _("%(unit)s does not belong to %(district)s: a rule may only send cases to a unit of the district it "
                 "covers.") % values


OUTSIDE = _Outside()  # translated when used, in the language active then


def test_validity_dates(org, catalogue):
    today = timezone.localdate()
    rule_save(category=cat("教育文体"), region=place("440311"), unit=org.hr, valid_from=today + timedelta(days=1))
    assert routed(cat("教育文体")) == []
    assert routed(cat("教育文体"), on=today + timedelta(days=1)) == ["光明区人力资源局"]


def test_centre_at_level(org):
    community = place()
    assert centre_at_level(community, "community") == org.community_centre
    assert centre_at_level(community, "street") == org.street_centre
    assert centre_at_level(community, "district") == org.district_centre
    assert centre_at_level(place("440311001"), "community") == org.street_centre  # above that level: its own


def test_saving_numbers_versions_and_keeps_revisions(org, catalogue, cast):
    rule = rule_save(category="劳动和社会保障", region=place("440311"), unit=org.hr, keywords=["欠薪", " 欠薪 ", ""],
                     by=cast.admin)
    assert rule.version == 1 and rule.keywords == ["欠薪"] and rule.created_by == cast.admin
    rule = rule_save(instance=rule, category="劳动和社会保障", region=place("440311"), unit=org.hr,
                     keywords=["欠薪", "讨薪"], priority=150, by=cast.admin)
    assert rule.version == 2
    revisions = list(RuleRevision.objects.filter(rule=rule).order_by("version"))
    assert [r.version for r in revisions] == [1, 2]
    assert revisions[0].data["keywords"] == ["欠薪"] and revisions[1].data["priority"] == 150


def test_unknown_category_is_refused_clearly(org, catalogue):
    with pytest.raises(ValidationError) as exc:
        rule_save(category="外星人投诉", region=place("440311"), unit=org.hr)
    assert exc.value.message_dict["category"] == [
        _("Unknown category “%(name)s”: add it to the catalogue first, or correct the rule.") % {"name": "外星人投诉"}]
    with pytest.raises(ValidationError) as exc:
        rule_save(category="其他", region=place("440311"), unit=org.hr)
    assert exc.value.message_dict["category"] == [_(
        "The category name “%(name)s” is ambiguous: write it as “first level/second level” or use its code.")
        % {"name": "其他"}]


def test_a_unit_outside_the_district_is_refused(org, catalogue):
    with pytest.raises(ValidationError) as exc:
        rule_save(category="劳动和社会保障", region=place("440303"), unit=org.hr)
    assert exc.value.message_dict["unit"] == [OUTSIDE % {"unit": "光明区人力资源局", "district": "罗湖区"}]


def test_a_rule_needs_a_target_and_a_category_or_keywords(org, catalogue):
    with pytest.raises(ValidationError) as exc:
        rule_save(category=None, region=place("440311"), unit=org.hr)
    assert "category" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        rule_save(category="劳动和社会保障", region=place("440311"))
    assert "unit" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        rule_save(category="劳动和社会保障", region=place("440311"), unit=org.hr, centre_level="community")
    assert "centre_level" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        rule_save(category="劳动和社会保障", region=place("440311"), unit=org.hr, valid_from=date(2026, 5, 1),
                  valid_to=date(2026, 4, 1))
    assert exc.value.message_dict["valid_to"] == [_("The rule ends before it starts.")]


def test_a_contradicting_rule_is_refused_and_a_different_priority_or_period_is_not(org, catalogue):
    first = rule_save(category="劳动和社会保障", region=place("440311"), unit=org.hr, keywords=["欠薪"])
    with pytest.raises(ValidationError) as exc:
        rule_save(category="劳动和社会保障", region=place("440311"), unit=org.housing, keywords=["欠薪"])
    assert exc.value.messages == [_(
        "This rule contradicts rule #%(id)d: same category, area, keywords and priority at the same time, but that "
        "rule sends the cases to %(other)s. Change the priority, the keywords or the dates, or deactivate one of "
        "them.") % {"id": first.pk, "other": "光明区人力资源局"}]
    rule_save(category="劳动和社会保障", region=place("440311"), unit=org.housing, keywords=["欠薪"], priority=90)
    with pytest.raises(ValidationError):  # an open-ended rule covers 2020 too
        rule_save(category="劳动和社会保障", region=place("440311"), unit=org.mediation, keywords=["欠薪"],
                  valid_from=date(2020, 1, 1), valid_to=date(2020, 12, 31))
    rule_save(category="教育文体", region=place("440311"), unit=org.hr, valid_to=date(2025, 12, 31))
    rule_save(category="教育文体", region=place("440311"), unit=org.housing, valid_from=date(2026, 1, 1))  # next period
    rule_save(category="劳动和社会保障", region=place("440311"), unit=org.housing, keywords=["欠薪"], is_active=False)


def test_a_rule_that_sends_cases_back_and_forth_between_centres_is_refused(org, catalogue):
    street = place("440311001")
    rule_save(category="劳动和社会保障", region=street, unit=org.district_centre, note="街道上交区中心")
    with pytest.raises(ValidationError) as exc:
        rule_save(category="劳动和社会保障", region=place("440311"), unit=org.street_centre, note="区中心交回街道")
    assert exc.value.messages == [_(
        "This rule makes a loop: cases would go %(path)s and never reach a unit that handles them. Send them to a "
        "department, or change the rule of the other centre.") % {
        "path": "光明区群众诉求服务大厅 → 光明街道群众诉求服务大厅 → 光明区群众诉求服务大厅"}]
    assert not ResponsibilityRule.objects.filter(note="区中心交回街道").exists()


def test_a_broken_defaults_file_names_the_line(org, catalogue, tmp_path, monkeypatch):
    from fengqiao.routing import services

    (tmp_path / "rules_440311.csv").write_text(
        "category,region,keywords,unit,centre_level,priority,note\n"
        "劳动和社会保障,440311,,光明区人力资源局,,100,\n"
        "不存在的分类,440311,,光明区人力资源局,,100,\n", encoding="utf-8")
    monkeypatch.setattr(services, "DATA", tmp_path)
    with pytest.raises(ValidationError) as exc:
        load_default_rules("440311")
    unknown = _("Unknown category “%(name)s”: add it to the catalogue first, or correct the rule.") % {
        "name": "不存在的分类"}
    assert exc.value.messages == [_("%(file)s line %(line)d: %(error)s") % {
        "file": "rules_440311.csv", "line": 3, "error": unknown}]
    assert not ResponsibilityRule.objects.exists()  # all or nothing


def test_admin_shows_the_refusals_on_the_form(org, catalogue, cast):
    from django.test import Client

    from fengqiao.accounts.tests.conftest import verify

    admin = cast.admin
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    verify(client, admin)
    url = reverse("admin:routing_responsibilityrule_add")
    assert client.get(url).status_code == 200
    luohu = place("440303")
    response = client.post(url, {"category": cat("劳动和社会保障").pk, "region": luohu.pk, "keywords": "欠薪",
                                 "unit": org.hr.pk, "centre_level": "", "priority": 100, "is_active": "on"})
    assert response.status_code == 200
    assert escape(OUTSIDE % {"unit": "光明区人力资源局", "district": "罗湖区"}) in response.content.decode()
    ok = client.post(url, {"category": cat("劳动和社会保障").pk, "region": place("440311").pk, "keywords": "欠薪、讨薪",
                           "unit": org.hr.pk, "centre_level": "", "priority": 100, "is_active": "on"})
    assert ok.status_code == 302, ok.content.decode()[:3000]
    rule = ResponsibilityRule.objects.get()
    assert rule.keywords == ["欠薪", "讨薪"] and rule.created_by == admin and rule.revisions.count() == 1
    change = client.get(reverse("admin:routing_responsibilityrule_change", args=[rule.pk]))
    assert change.status_code == 200 and "v1" in change.content.decode()
    assert OrgUnit.objects.filter(pk=rule.unit_id).exists()


def test_the_command_loads_the_shipped_list(org, catalogue):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("load_responsibility_rules", "440311", stdout=out)
    assert "rules added for 440311" in out.getvalue()
    assert ResponsibilityRule.objects.count() >= 30
