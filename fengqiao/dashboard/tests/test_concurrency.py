"""Two transactions adding to the same new counter row at once: both additions stay (no lost update, no error)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction

from fengqiao.dashboard import tallies
from fengqiao.dashboard.models import DayTally

KEY = (date(2026, 12, 7), 424242, "/4403/440311/", "mediation", "red")


def _writer(amount: int, inserted: threading.Event | None, go: threading.Event | None, errors: list) -> None:
    try:
        with transaction.atomic():
            if go is not None:
                go.wait(5)
            tallies.apply({(DayTally, KEY): {"received": amount, "people": amount}})
            if inserted is not None:
                inserted.set()  # the row exists, not committed yet: the other writer starts now
                threading.Event().wait(0.3)
    except DatabaseError as exc:  # reported to the test
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_two_writers_creating_the_same_row_keep_both_additions():
    """On PostgreSQL the second writer runs while the first holds its new, uncommitted row: its UPDATE finds nothing,
    its INSERT … ON CONFLICT DO NOTHING waits for the first to commit, its second UPDATE adds. SQLite's test database
    lives in shared memory, where two open writers fail at once instead of waiting; the platform's SQLite opens every
    transaction IMMEDIATE (settings), so writers queue at BEGIN and cannot interleave: there the two run in turn."""
    inserted, errors = threading.Event(), []
    if connection.vendor == "postgresql":
        first = threading.Thread(target=_writer, args=(1, inserted, None, errors))
        second = threading.Thread(target=_writer, args=(2, None, inserted, errors))
        first.start()
        second.start()
        first.join(30)
        second.join(30)
    else:
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        for amount in (1, 2):
            with transaction.atomic():
                tallies.apply({(DayTally, KEY): {"received": amount, "people": amount}})
    assert errors == []
    row = DayTally.objects.get(region_id=KEY[1], day=KEY[0], service_type="mediation", grade="red")
    assert (row.received, row.people) == (3, 3)
