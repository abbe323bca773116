"""The export of an engagement's records as a PDF, marked confidential and with who exported it and when."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.core.pdf import document, escape, styles


def records_pdf(engagement, *, exported_by) -> bytes:
    from reportlab.platypus import Paragraph, Spacer

    s = styles()
    now = timezone.localtime()
    stamp = _("Confidential — exported by %(name)s at %(at)s") % {"name": exported_by,
                                                                   "at": now.strftime("%Y-%m-%d %H:%M")}
    doc = document(_("Psychological service records"), footer=stamp)
    story = doc.story
    story.append(Paragraph(escape(_("Psychological service records")), s["title"]))
    story.append(Paragraph(escape(_("Confidential: only for the counsellor and those they grant.")), s["number"]))
    case = engagement.case
    facts = [
        (_("Case"), f"{case.code}"),
        (_("Counsellor"), f"{engagement.counsellor} · {engagement.unit}"),
        (_("Status"), engagement.get_status_display()),
        (_("Risk level"), engagement.get_risk_level_display()),
        (_("Consent"), _("%(who)s, %(at)s, %(how)s") % {
            "who": engagement.consent_by, "at": timezone.localtime(engagement.consent_at).strftime("%Y-%m-%d %H:%M"),
            "how": engagement.get_consent_method_display()} if engagement.has_consent else _("not recorded")),
        (_("Opened"), timezone.localtime(engagement.opened_at).strftime("%Y-%m-%d %H:%M")),
    ]
    for label, value in facts:
        story.append(Paragraph(f"{escape(str(label))}：{escape(str(value))}", s["body"]))
    if engagement.crisis_note:
        story.append(Paragraph(escape(_("Crisis protocol note")), s["heading"]))
        story.append(Paragraph(escape(engagement.crisis_note), s["body"]))
    for record in engagement.records.all():
        story.append(Spacer(1, 6))
        heading = _("Session %(n)d · %(date)s · %(mode)s · %(minutes)d min") % {
            "n": record.seq, "date": record.held_on.isoformat(), "mode": record.get_mode_display(),
            "minutes": record.duration_minutes}
        story.append(Paragraph(escape(heading), s["heading"]))
        for label, text in ((_("Session notes"), record.notes), (_("Assessment"), record.assessment), (_("Plan"), record.plan)):
            if text:
                story.append(Paragraph(f"{escape(str(label))}：{escape(text)}", s["body"]))
    if engagement.closing_note:
        story.append(Paragraph(escape(_("Closing note")), s["heading"]))
        story.append(Paragraph(escape(engagement.closing_note), s["body"]))
    story.append(Spacer(1, 10))
    story.append(Paragraph(escape(stamp), s["small"]))
    return doc.build()
