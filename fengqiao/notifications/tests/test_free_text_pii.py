"""Notices quote free text (a case title, a reason): the inbox, e-mail and SMS outbox get it masked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fengqiao.notifications.models import Notification, OutboxMessage
from fengqiao.notifications.services import notify

pytestmark = pytest.mark.django_db


def test_notices_and_outbox_messages_carry_no_personal_data(cast, settings, client_for):
    settings.FQ_NOTIFY_CHANNELS = {"email": "sink", "sms": "sink"}
    settings.FQ_SMS_KINDS = {"deadline_overdue"}
    user = cast.op_district
    user.email, user.phone = "op@example.org", "13700001111"
    user.save(update_fields=["email", "phone"])
    notify([user], kind="deadline_overdue", title="超期：欠薪，电话１３８００１３８０００",
           body="申请人身份证440311 19900101 1234，车牌粤B·12345", key="t:1")
    notice = Notification.objects.get(key="t:1")
    assert notice.title == "超期：欠薪，电话138****8000"
    assert notice.body == "申请人身份证4403**********1234，车牌粤B***45"
    messages = {m.channel: m for m in OutboxMessage.objects.all()}
    assert set(messages) == {"email", "sms"}
    for message in messages.values():
        text = message.subject + message.body
        assert "１３８００１３８０００" not in text and "440311 19900101 1234" not in text and "粤B·12345" not in text
        assert "138****8000" in text
    assert messages["sms"].address == "13700001111"  # the address itself is what the gateway needs
    inbox = client_for(user).get(reverse("notifications:inbox")).content.decode()
    assert "138****8000" in inbox and "１３８００１３８０００" not in inbox
