"""The mediation agreement as a PDF (人民调解协议书, People's Mediation Law art. 29), always in Chinese.

A legal document: the parties' own copy, with their particulars in full (only those who may see the case download
it, and each download is on the timeline). A4, the embedded CJK font of `fengqiao.core.pdf`, the committee's seal
block, and at the foot a verification code with a QR of the public verification page.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from fengqiao.core import pdf
from fengqiao.mediation import rules
from fengqiao.mediation.models import Agreement, AgreementParty

ROLE_ZH = {"applicant": "申请人", "respondent": "被申请人", "other_party": "其他当事人", "agent": "委托代理人"}
ID_TYPE_ZH = {"resident_id": "居民身份证", "passport": "护照", "hk_macao": "港澳居民来往内地通行证",
              "uscc": "统一社会信用代码"}
SIGNED_BY_ZH = {"signature": "签名", "seal": "盖章", "fingerprint": "按指印"}
DIGITS_ZH = "〇一二三四五六七八九"
BLANK = "＿＿＿＿＿＿＿＿"  # written in by hand on the paper copy


def verification_url(agreement: Agreement, request=None) -> str:
    """The absolute URL of the agreement's public verification page (FQ_PUBLIC_BASE_URL, else the request's host)."""
    path = reverse("agreements:verify_code", args=[agreement.verification_code])
    base = (getattr(settings, "FQ_PUBLIC_BASE_URL", "") or "").rstrip("/")
    if base:
        return base + path
    return request.build_absolute_uri(path) if request is not None else path


def chinese_count(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三 (copies and term numbers)."""
    if n < 10:
        return DIGITS_ZH[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else DIGITS_ZH[tens]) + "十" + (DIGITS_ZH[ones] if ones else "") if n < 100 else str(n)


def chinese_date(value: date | datetime | None) -> str:
    if value is None:
        return "　　　　年　　月　　日"
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def yuan(amount: Decimal) -> str:
    return f"人民币{amount:,.2f}元"


def _particulars(party: AgreementParty) -> str:
    parts = [f"{ROLE_ZH.get(party.role, '当事人')}：{party.name}"]
    sex = rules.sex_from_id(party.id_type, party.id_number)
    if sex:
        parts.append(f"性别：{sex}")
    if party.id_number:
        parts.append(f"{ID_TYPE_ZH.get(party.id_type, '证件')}号码：{party.id_number}")
    parts.append(f"住址：{party.address or BLANK}")
    parts.append(f"联系电话：{party.phone or BLANK}")
    return "，".join(parts) + "。"


def _term(term) -> str:
    text = term.content.rstrip("。；;. ")
    details = []
    if term.amount is not None:
        details.append(f"金额：{yuan(term.amount)}")
    if term.manner:
        details.append(f"履行方式：{term.manner}")
    if term.due_on:
        details.append(f"履行期限：{chinese_date(term.due_on)}前")
    return f"{chinese_count(term.seq)}、{text}。" + ("（" + "；".join(details) + "）" if details else "")


def agreement_pdf(agreement: Agreement, *, url: str) -> bytes:
    """The PDF of `agreement`; `url` is its verification page (see `verification_url`)."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

    s = pdf.styles()
    esc = pdf.escape
    mediation = agreement.mediation
    committee = mediation.unit.name
    parties = list(agreement.parties.all())
    terms = list(agreement.terms.all())
    oral = agreement.form == Agreement.Form.ORAL
    doc = pdf.document("人民调解协议书", footer=f"{agreement.number}　验证码 {agreement.verification_code}")
    story = doc.story
    story.append(Paragraph("人民调解协议书" if not oral else "人民调解协议书（口头协议记录）", s["title"]))
    story.append(Paragraph(esc(agreement.number), s["number"]))

    story.append(Paragraph("当事人", s["heading"]))
    story.extend(Paragraph(esc(_particulars(p)), s["body"]) for p in parties)

    story.append(Paragraph("纠纷主要事实", s["heading"]))
    story.append(Paragraph(esc(agreement.facts), s["indent"]))
    story.append(Paragraph("争议事项", s["heading"]))
    story.append(Paragraph(esc(agreement.matters), s["indent"]))
    story.append(Paragraph("各方责任", s["heading"]))
    story.append(Paragraph(esc(agreement.responsibilities), s["indent"]))

    story.append(Paragraph("经人民调解委员会调解，各方当事人自愿达成如下协议：", s["heading"]))
    story.extend(Paragraph(esc(_term(t)), s["indent"]) for t in terms)
    if agreement.partial:
        story.append(Paragraph("本协议为部分达成的协议。未达成协议的事项，当事人可以依法通过仲裁、行政、司法等途径"
                               "维护自己的权利。", s["indent"]))

    story.append(Spacer(1, 3 * mm))
    copies = len(parties) + 1
    if oral:
        story.append(Paragraph("各方当事人以口头方式达成上述协议，由人民调解员记录在案，自记录之日起生效。经人民调解"
                               "达成的调解协议，具有法律约束力，当事人应当按照约定履行。", s["indent"]))
    else:
        story.append(Paragraph("本协议经各方当事人签名、盖章或者按指印，人民调解员签名并加盖人民调解委员会印章后生效。"
                               "经人民调解委员会调解达成的调解协议，具有法律约束力，当事人应当按照约定履行。", s["indent"]))
    story.append(Paragraph("当事人可以自本协议生效之日起三十日内共同向人民法院申请司法确认。", s["indent"]))
    story.append(Paragraph(f"本协议一式{chinese_count(copies)}份，当事人各执一份，人民调解委员会留存一份。", s["indent"]))
    story.append(Spacer(1, 4 * mm))

    rows = []
    if not oral:
        for p in parties:
            signed = (f"已于{chinese_date(p.signed_at)}{SIGNED_BY_ZH.get(p.signed_by, '签署')}" if p.signed_at
                      else "日期：" + chinese_date(None))
            rows.append([Paragraph(esc(f"{ROLE_ZH.get(p.role, '当事人')}：{p.name}"), s["body"]),
                         Paragraph("（签名、盖章或按指印）", s["small"]), Paragraph(esc(signed), s["body"])])
    mediator_name = getattr(mediation.mediator, "name", "") or str(mediation.mediator)
    mediator_done = agreement.mediator_signed_at
    rows.append([Paragraph(esc(f"人民调解员：{mediator_name}" if not oral else f"记录人（人民调解员）：{mediator_name}"),
                           s["body"]),
                 Paragraph("（签名）", s["small"]),
                 Paragraph(esc(f"已于{chinese_date(mediator_done)}签名" if mediator_done
                               else "日期：" + chinese_date(None)), s["body"])])
    table = Table(rows, colWidths=[58 * mm, 44 * mm, 58 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("TOPPADDING", (0, 0), (-1, -1), 9),
                               ("LINEBELOW", (1, 0), (1, -1), 0.5, colors.grey)]))
    story.append(table)
    story.append(Spacer(1, 5 * mm))
    seal_date = agreement.sealed_at or (agreement.effective_at if oral else None)
    seal = [Paragraph(esc(f"{committee}（盖章）"), s["body"]), Paragraph(esc(chinese_date(seal_date)), s["body"])]
    if agreement.sealed_at:
        seal.append(Paragraph("（人民调解委员会印章已加盖）", s["small"]))
    statuses: dict[str, str] = {Agreement.Status.EFFECTIVE: f"本协议已于{chinese_date(agreement.effective_at)}生效。",
                                Agreement.Status.VOID: "本协议已作废。"}
    status = statuses.get(agreement.status, "本协议尚未生效。")
    verify = [Paragraph(esc(f"验证码：{agreement.verification_code}"), s["body"]),
              Paragraph("扫描二维码核验本协议书的真伪和效力（核验页面不显示当事人个人信息）。", s["small"]),
              Paragraph(esc(status), s["small"])]
    foot = Table([[pdf.qr(url, size_mm=24), verify, seal]], colWidths=[27 * mm, 63 * mm, 70 * mm])
    foot.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (0, 0), 0),
                              ("LEFTPADDING", (2, 0), (2, 0), 14)]))
    story.append(KeepTogether([foot, Paragraph(esc(f"核验网址：{url}"), s["small"])]))
    return doc.build()
