"""The anonymous Open311 feed masks personal data in every spelling residents use (core.masking, public form)."""

from __future__ import annotations

import pytest

from .conftest import BASE, FORMATS

pytestmark = pytest.mark.django_db

SPELLINGS = {
    "１３８００１３８０００": "138********",  # full-width digits
    "138.0013.8000": "138********",  # dotted
    "138 0013 8000": "138********",  # spaced
    "+86 139-1234-5678": "139********",
    "440311 19900101 1234": "4403**********1234",  # ID number in groups
    "４４０３１１１９９００１０１１２３Ｘ": "4403**********123X",
    "(0755)2740 1234": "0755-********",
    "6222 0212 3456 7890 123": "6222***********0123",  # bank card
    "粤B·12345": "粤B***45",  # licence plate
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_feed_masks_every_spelling(api, make_case, fmt):
    description = "联系方式：" + "；".join(SPELLINGS) + "。2026-12-07 欠薪5000元。"
    case = make_case(description=description)
    for url in (f"{BASE}/requests.{fmt}", f"{BASE}/requests/{case.code}.{fmt}"):
        text = api.get(url).content.decode()
        assert case.code in text
        for written, shown in SPELLINGS.items():
            assert written not in text, (written, url)
            assert shown in text, (shown, url)
        assert "2026-12-07 欠薪5000元" in text  # ordinary text stays as written
