"""The shipped grading rules (copied into the editable GradingRule table by migration 0002).

Red (一类) for threats to life and public order and for large groups; yellow (二类) for the signals that
need a closer look. Administrators tune words and thresholds in the administration; tests cover each one.

The reasons are English message ids (marked, not translated here): a case stores the rule's sentence with its
values and each reader sees it in their language (migration 0003 replaced the Chinese sentences the first
version of migration 0002 wrote into the table, where an administrator had not changed them).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_noop as _

from fengqiao.triage.grading import (
    FESTIVAL,
    MONEY,
    PEOPLE,
    RED,
    REPEAT,
    TEXT,
    TEXT_PEOPLE,
    URGENCY,
    YELLOW,
    Signal,
)

WAGE_WORDS = ("欠薪", "讨薪", "欠+工资", "工资+未发", "工资+没发", "克扣+工资", "工钱")
SELF_HARM_WORDS = ("轻生", "跳楼", "自杀", "寻死", "不想活", "割腕", "喝农药", "烧炭", "同归于尽", "了结自己")

DEFAULT_SIGNALS: list[Signal] = [
    Signal("self_harm", TEXT, RED, _("Signs of self-harm in the text: “{keyword}”"),
           SELF_HARM_WORDS,
           priority=10, name="轻生自伤"),
    Signal("violence", TEXT, RED, _("Threats of violence in the text: “{keyword}”"),
           ("动刀", "拿刀", "砍人", "报复", "杀了", "弄死", "捅死", "打死", "泼汽油", "放火", "炸掉", "行凶"),
           priority=20, name="暴力威胁"),
    Signal("gathering", TEXT, RED, _("Signs of a gathering or group petition in the text: “{keyword}”"),
           ("聚集", "集体上访", "越级上访", "集体维权", "围堵", "静坐", "到区政府", "到市政府", "政府门口"),
           priority=30, name="聚集上访"),
    Signal("road_block", TEXT, RED, _("Signs of blocking roads in the text: “{keyword}”"),
           ("堵路", "堵门", "拦路", "拦车", "封路", "堵马路", "阻断交通", "堵塞道路"),
           priority=40, name="堵路"),
    Signal("banner", TEXT, RED, _("Signs of banners or placards in the text: “{keyword}”"),
           ("拉横幅", "打横幅", "挂横幅", "拉条幅", "举牌", "打标语"),
           priority=50, name="拉横幅"),
    Signal("wage_many", TEXT_PEOPLE, RED, _("Wage arrears involving {people} people ({threshold} or more)"),
           WAGE_WORDS, threshold=Decimal(10), priority=60, name="欠薪人数多"),
    Signal("collective_red", PEOPLE, RED, _("{people} people involved, {threshold} or more"),
           threshold=Decimal(30), priority=70, name="群体性（大）"),
    Signal("money_red", MONEY, RED, _("Money involved: {amount}, {threshold} or more"),
           threshold=Decimal(1_000_000), priority=80, name="涉及金额巨大"),
    Signal("danger", URGENCY, RED, _("Signs of immediate danger in the text: “{keyword}”"),
           ("生命危险", "有人受伤", "坍塌", "倒塌", "火灾", "着火", "燃气泄漏", "煤气泄漏", "触电"),
           priority=90, name="紧急危险"),
    Signal("wage_festival", FESTIVAL, YELLOW, _("Wage arrears {days} days before the Spring Festival (within {window} days of it): “{keyword}”"),
           WAGE_WORDS, window_days=30, priority=110, name="节前欠薪"),
    Signal("minors", TEXT, YELLOW, _("Minors involved: “{keyword}”"),
           ("未成年", "小孩", "儿童", "幼儿", "婴儿", "留守儿童", "孩子+受伤", "孩子+危险"),
           priority=120, name="涉及未成年人"),
    Signal("elderly", TEXT, YELLOW, _("Elderly people involved: “{keyword}”"),
           ("老人", "老年人", "高龄", "老大爷", "老奶奶", "老太太"),
           priority=130, name="涉及老年人"),
    Signal("disabled", TEXT, YELLOW, _("People with disabilities involved: “{keyword}”"),
           ("残疾", "残障", "瘫痪", "智障", "盲人", "聋哑", "轮椅", "精神病"),
           priority=140, name="涉及残疾人"),
    Signal("repeat", REPEAT, YELLOW, _("The same phone raised {count} demands within {days} days (repeat complainant)"),
           threshold=Decimal(3), window_days=30, priority=150, name="重复来访"),
    Signal("collective", PEOPLE, YELLOW, _("{people} people involved: a group demand ({threshold} or more)"),
           threshold=Decimal(5), priority=160, name="群体性诉求"),
    Signal("money", MONEY, YELLOW, _("Money involved: {amount}, {threshold} or more"),
           threshold=Decimal(100_000), priority=170, name="涉及金额较大"),
    Signal("urgency", URGENCY, YELLOW, _("The resident says it is urgent: “{keyword}”"),
           ("紧急", "十万火急", "刻不容缓", "危急", "马上要出事"),
           priority=180, name="情况紧急"),
]
