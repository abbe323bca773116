"""Documents of the legal routes as PDFs, always in Chinese (they go to a court or an arbitration commission):
the joint application for judicial confirmation (司法确认申请书) with its materials list, and the referral package
(case summary, mediation record, statement that no agreement was reached). Built with `fengqiao.core.pdf`.
"""

from __future__ import annotations

from django.utils import timezone, translation

from fengqiao.core import pdf
from fengqiao.core.reasons import render
from fengqiao.legal.models import ConfirmationApplication, Referral
from fengqiao.mediation.models import Agreement

ROLE_ZH = {"applicant": "申请人", "respondent": "申请人（原被申请人）", "other_party": "申请人（其他当事人）"}
ID_TYPE_ZH = {"resident_id": "居民身份证", "passport": "护照", "hk_macao": "港澳居民来往内地通行证",
              "uscc": "统一社会信用代码"}
MATERIALS_ZH = {
    "application": "司法确认申请书（各方当事人签名）",
    "agreement": "人民调解协议书",
    "identity": "身份证明材料",
    "service_address": "送达地址确认书及联系电话",
    "property": "与调解协议相关的财产权利证明",
}


def _day(value) -> str:
    if value is None:
        return "　　年　　月　　日"
    local = timezone.localtime(value) if hasattr(value, "hour") else value
    return f"{local.year}年{local.month}月{local.day}日"


def application_story(app: ConfirmationApplication) -> list:
    from reportlab.platypus import Paragraph, Spacer

    s = pdf.styles()
    esc = pdf.escape
    agreement = app.agreement
    mediation = agreement.mediation
    story: list = [Paragraph("司法确认申请书", s["title"]),
                   Paragraph(esc(f"（人民调解协议 {agreement.number}）"), s["number"]),
                   Paragraph("申请人", s["heading"])]
    for p in agreement.parties.all():
        bits = [f"{ROLE_ZH.get(p.role, '申请人')}：{p.name}"]
        if p.id_number:
            bits.append(f"{ID_TYPE_ZH.get(p.id_type, '证件')}号码：{p.id_number}")
        bits.append(f"送达地址：{p.address or '（待当事人填写）'}")
        bits.append(f"联系电话：{p.phone or '（待当事人填写）'}")
        story.append(Paragraph(esc("，".join(bits) + "。"), s["body"]))
    story += [
        Paragraph("请求事项", s["heading"]),
        Paragraph(esc(f"请求确认申请人于{_day(agreement.effective_at)}经{mediation.unit.name}主持调解达成的"
                      f"《人民调解协议书》（{agreement.number}）有效。"), s["indent"]),
        Paragraph("事实与理由", s["heading"]),
        Paragraph(esc(agreement.facts), s["indent"]),
        Paragraph(esc(f"争议事项：{agreement.matters}"), s["indent"]),
        Paragraph(esc("上述协议系各方当事人在人民调解委员会主持下自愿达成，内容不违反法律、行政法规的强制性规定，"
                      "不损害国家利益、社会公共利益和他人合法权益。根据《中华人民共和国民事诉讼法》第二百零五条、"
                      "《最高人民法院关于人民调解协议司法确认程序的若干规定》，申请人自调解协议生效之日起三十日内"
                      "共同提出申请，请依法确认。"), s["indent"]),
        Paragraph("申请人承诺", s["heading"]),
        Paragraph(esc("申请人出于解决纠纷的目的自愿达成协议，没有恶意串通、规避法律的行为；如因虚假调解协议"
                      "损害他人合法权益，愿承担相应的民事责任和其他法律责任。"), s["indent"]),
    ]
    if app.late:
        story.append(Paragraph(esc(f"逾期申请说明：{app.late_reason}"), s["indent"]))
    story += [Paragraph("管辖依据", s["heading"]),
              Paragraph(esc("；".join(render(r) for r in app.court_reasons) or "—"), s["indent"]),
              Paragraph("附：材料清单", s["heading"])]
    for n, item in enumerate(app.materials, start=1):
        label = MATERIALS_ZH.get(item["item"], item["item"])
        who = f"（{item['party']}）" if item.get("party") else ""
        detail = ""
        if item["item"] == "agreement":
            detail = f"编号 {item.get('detail', '')}"
        elif item["item"] == "property":
            detail = f"涉及协议第{item['detail']}条" if item.get("detail") else "协议涉及财产权利时提交"
        story.append(Paragraph(esc(f"{n}. {label}{who} {detail}".rstrip()), s["body"]))
    story += [Spacer(1, 10), Paragraph(esc(f"此致\n{app.court.name}"), s["body"]), Spacer(1, 14)]
    for p in agreement.parties.all():
        story.append(Paragraph(esc(f"申请人（签名、盖章或按指印）：{p.name}　＿＿＿＿＿＿"), s["body"]))
    story.append(Paragraph(esc(f"申请日期：{_day(app.filed_at)}"), s["body"]))
    story += [Spacer(1, 8), Paragraph("附件：调解协议约定事项", s["heading"])]
    for term in agreement.terms.all():
        extra = []
        if term.amount is not None:
            extra.append(f"金额：{term.amount}元")
        if term.manner:
            extra.append(f"履行方式：{term.manner}")
        if term.due_on:
            extra.append(f"履行期限：{_day(term.due_on)}前")
        story.append(Paragraph(esc(f"{term.seq}. {term.content}" + (f"（{'；'.join(extra)}）" if extra else "")),
                               s["body"]))
    return story


def application_pdf(app: ConfirmationApplication) -> bytes:
    doc = pdf.document("司法确认申请书", footer=f"{app.agreement.number} · {app.court.name}")
    with translation.override("zh-hans"):  # the court's document: the reasons in Chinese whatever the reader's language
        doc.story.extend(application_story(app))
    return doc.build()


def agreement_pdf_or_none(agreement: Agreement, request=None) -> bytes | None:
    """The agreement's own PDF (fengqiao.mediation.documents), or None where that module is not installed."""
    try:
        from fengqiao.mediation.documents import agreement_pdf, verification_url
    except ImportError:
        return None
    return agreement_pdf(agreement, url=verification_url(agreement, request))


def referral_pdf(referral: Referral) -> bytes:
    from reportlab.platypus import Paragraph

    s = pdf.styles()
    esc = pdf.escape
    case = referral.case
    title = "劳动争议仲裁移送函" if referral.kind == "arbitration" else "诉讼移送函"
    doc = pdf.document(title, footer=f"{case.code} · {referral.to_unit.name}")
    story = doc.story
    story += [
        Paragraph(title, s["title"]),
        Paragraph(esc(case.code), s["number"]),
        Paragraph(esc(f"{referral.to_unit.name}："), s["body"]),
        Paragraph(esc(f"现将{case.title}一案移送贵单位依法处理，材料如下。"), s["indent"]),
        Paragraph("一、案情摘要", s["heading"]),
        Paragraph(esc(referral.summary), s["indent"]),
        Paragraph("二、调解笔录", s["heading"]),
        Paragraph(esc(referral.mediation_record or "（无调解笔录）"), s["indent"]),
        Paragraph("三、未达成调解协议的说明", s["heading"]),
        Paragraph(esc(referral.no_agreement_statement or "（无）"), s["indent"]),
        Paragraph(esc(f"移送单位：{referral.from_unit.name}　　移送日期：{_day(referral.sent_at)}"), s["body"]),
    ]
    return doc.build()
