"""The petition's written documents as PDFs, in Chinese (official documents are issued in Chinese):
the notices of acceptance, of non-acceptance, of transfer and of extension (受理告知书, 不予受理告知书, 转送告知书,
延期办理告知书), the written reply (信访答复意见书) and the review and re-review opinions (复查意见书, 复核意见书).

Each says who the petitioner is, the matter, and for the opinions: the facts found, the opinion and its basis, and
the petitioner's right to ask the named organ for the next step within 30 days, with the date and the organ.
"""

from __future__ import annotations

from datetime import date

from fengqiao.core.pdf import document, escape, styles
from fengqiao.petitions import rules
from fengqiao.petitions.models import Opinion, Petition, PetitionForm, Stage
from fengqiao.petitions.rules import NotAcceptedGround, State

FORMS_ZH = {PetitionForm.LETTER: "来信", PetitionForm.VISIT: "来访", PetitionForm.ONLINE: "网上信访",
            PetitionForm.PHONE: "来电"}
GROUNDS_ZH = {
    NotAcceptedGround.RE_REVIEWED: "该信访事项已经复核，信访人仍以同一事实和理由提出信访请求",
    NotAcceptedGround.OTHER_ROUTE: "该事项应当通过诉讼、仲裁、行政复议等法定途径解决",
    NotAcceptedGround.BEING_HANDLED: "该信访事项正在办理或者已在法定期限内办理",
    NotAcceptedGround.NOT_A_PETITION: "该事项不属于信访事项受理范围",
}
TITLES = {
    Stage.REPLY: "信访事项答复意见书",
    Stage.REVIEW: "信访事项复查意见书",
    Stage.RE_REVIEW: "信访事项复核意见书",
}
NOTICES = {
    "accept": "信访事项受理告知书",
    "not_accept": "信访事项不予受理告知书",
    "transfer": "信访事项转送告知书",
    "extend": "信访事项延期办理告知书",
}


def _cn_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "    年  月  日"


def _petitioners(petition: Petition) -> str:
    return "、".join(p.name for p in petition.petitioners.all()) or "（未具名）"


def _head(petition: Petition, title: str, suffix: str) -> tuple:
    s = styles()
    doc = document(title, footer=f"{petition.number} · {title}")
    doc.story.append(_para(title, s["title"]))
    doc.story.append(_para(f"{petition.office.name}〔{petition.registered_on.year}〕{petition.number}{suffix}",
                           s["number"]))
    doc.story.append(_para(f"{_petitioners(petition)}：", s["body"]))
    return doc, s


def _para(text: str, style):
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text), style)


def _section(doc, s, heading: str, text: str) -> None:
    doc.story.append(_para(heading, s["heading"]))
    for line in (text or "").splitlines() or [""]:
        if line.strip():
            doc.story.append(_para(line.strip(), s["indent"]))


def _signature(doc, s, organ: str, day: date | None) -> None:
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Spacer

    right = ParagraphStyle("right", parent=s["body"], alignment=TA_RIGHT)
    doc.story.append(Spacer(1, 28))
    doc.story.append(_para(f"{organ}（印章）", right))
    doc.story.append(_para(_cn_date(day), right))


def _matter_line(petition: Petition) -> str:
    return (f"你（们）于{_cn_date(petition.registered_on)}以{FORMS_ZH.get(petition.form, petition.form)}形式"
            f"（{petition.people_count}人）反映的事项：{petition.matter}")


def opinion_pdf(petition: Petition, stage: str) -> bytes:
    """The written reply, or the review / re-review opinion, of `petition`."""
    record: Opinion = petition.opinions.get(stage=stage)
    title = TITLES[stage]
    suffix = {Stage.REPLY: "答", Stage.REVIEW: "复查", Stage.RE_REVIEW: "复核"}[stage]
    doc, s = _head(petition, title, suffix)
    doc.story.append(_para(_matter_line(petition), s["indent"]))
    if stage == Stage.REPLY:
        doc.story.append(_para(f"本机关于{_cn_date(petition.accepted_on)}依法受理，现答复如下：", s["indent"]))
    else:
        step = "复查" if stage == Stage.REVIEW else "复核"
        doc.story.append(_para(f"你（们）不服前一意见，于{_cn_date(record.requested_on)}请求{step}。本机关依法进行了"
                               f"{step}，现提出{step}意见如下：", s["indent"]))
    hearings = [h for h in petition.hearings.all() if h.stage == stage]
    for h in hearings:
        doc.story.append(_para(f"本机关于{_cn_date(h.started_on)}至{_cn_date(h.ended_on)}举行了听证，"
                               "听证所需时间不计入办理期限。", s["indent"]))
    _section(doc, s, "一、经调查核实的事实", record.facts)
    _section(doc, s, "二、处理意见", record.opinion)
    _section(doc, s, "三、依据", record.basis)
    doc.story.append(_para("四、救济途径", s["heading"]))
    if stage == Stage.RE_REVIEW:
        doc.story.append(_para("本复核意见为该信访事项的最终处理意见。信访人对复核意见不服，仍然以同一事实和理由"
                               "提出信访请求的，各级机关不再受理。", s["indent"]))
    else:
        until = rules.request_until(record.decided_on) if record.decided_on else None
        step = "复查" if stage == Stage.REPLY else "复核"
        doc.story.append(_para(
            f"如对本{'答复' if stage == Stage.REPLY else '复查'}意见不服，可以自收到本意见书之日起30日内"
            f"（即{_cn_date(until)}前）向{record.next_organ_name}书面请求{step}。", s["indent"]))
    _signature(doc, s, record.organ_name, record.decided_on)
    return doc.build()


def notice_pdf(petition: Petition, kind: str) -> bytes:
    """A statutory notice: accept, not_accept, transfer or extend."""
    title = NOTICES[kind]
    doc, s = _head(petition, title, "告")
    doc.story.append(_para(_matter_line(petition), s["indent"]))
    organ = petition.office.name
    day = petition.accepted_on
    if kind == "accept":
        handling = petition.organ.name if petition.organ else organ
        due = rules.handling_due(petition.accepted_on) if petition.accepted_on else None
        doc.story.append(_para(f"经审查，该事项符合受理条件，{handling}已于{_cn_date(petition.accepted_on)}依法受理，"
                               f"办理机关为{handling}。办理机关将自受理之日起60日内办结（即{_cn_date(due)}前），"
                               "并向你（们）出具书面答复意见。", s["indent"]))
        organ = handling
    elif kind == "not_accept":
        ground = GROUNDS_ZH.get(petition.not_accepted_ground, "")
        text = f"经审查，{ground}，根据《信访工作条例》的规定，决定不予受理。"
        if petition.not_accepted_ground == NotAcceptedGround.RE_REVIEWED and petition.repeat_of_id:
            earlier = petition.repeat_of
            opinion = earlier.opinions.filter(stage=Stage.RE_REVIEW).first()
            text += (f"该事项已于{_cn_date(opinion.decided_on if opinion else None)}作出复核意见"
                     f"（信访事项编号：{earlier.number}），依法不再受理。")
        doc.story.append(_para(text, s["indent"]))
        if petition.decision_reason:
            _section(doc, s, "说明", petition.decision_reason)
        day = petition.closed_on
    elif kind == "transfer":
        to = petition.organ.name if petition.organ else ""
        doc.story.append(_para(f"经审查，该事项依法属于{to}的职责范围，本机关已于{_cn_date(petition.received_on)}转送"
                               f"{to}办理。{to}将自收到之日起15日内决定是否受理，并书面告知你（们）。", s["indent"]))
        day = petition.transferred_on
    elif kind == "extend":
        handling = petition.organ.name if petition.organ else organ
        due = rules.handling_due(petition.accepted_on, petition.extension_days) if petition.accepted_on else None
        doc.story.append(_para(f"因{petition.extension_reason}，经本机关负责人批准，该信访事项的办理期限延长"
                               f"{petition.extension_days}日，至{_cn_date(due)}前办结。", s["indent"]))
        organ, day = handling, petition.extended_on
    doc.story.append(_para("特此告知。", s["indent"]))
    _signature(doc, s, organ, day)
    return doc.build()


def available_documents(petition: Petition) -> list[tuple[str, str]]:
    """(slug, Chinese title) of the documents this petition has so far."""
    docs: list[tuple[str, str]] = []
    if petition.accepted_on:
        docs.append(("accept", NOTICES["accept"]))
    if petition.state == State.NOT_ACCEPTED:
        docs.append(("not_accept", NOTICES["not_accept"]))
    if petition.transferred_on:
        docs.append(("transfer", NOTICES["transfer"]))
    if petition.extension_days:
        docs.append(("extend", NOTICES["extend"]))
    for opinion in petition.opinions.all():
        if opinion.decided_on:
            docs.append((opinion.stage, TITLES[opinion.stage]))
    return docs


def render(petition: Petition, slug: str) -> bytes:
    if slug in TITLES:
        return opinion_pdf(petition, slug)
    if slug in NOTICES:
        return notice_pdf(petition, slug)
    raise KeyError(slug)
