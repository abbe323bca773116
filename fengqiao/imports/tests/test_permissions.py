"""Who may import: staff who take in demands (operators, service-point staff); everyone else is refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fengqiao.imports.models import ImportBatch
from fengqiao.imports.services import batch_create, batch_start

from .conftest import make_csv, row

pytestmark = pytest.mark.django_db

REFUSED = ["handler", "handler_other", "mediator", "court", "grid", "volunteer", "admin", "auditor", "resident",
           "outsider"]


def batch_urls(pk: int) -> list[tuple[str, str]]:
    return [
        ("get", reverse("imports:batch", args=[pk])),
        ("get", reverse("imports:progress", args=[pk])),
        ("get", reverse("imports:report", args=[pk, "csv"])),
        ("get", reverse("imports:report", args=[pk, "xlsx"])),
        ("post", reverse("imports:start", args=[pk])),
        ("post", reverse("imports:resume", args=[pk])),
    ]


@pytest.fixture
def batch(cast, mapping):
    return batch_create(mapping=mapping, name="a.csv", content=make_csv([row()]), user=cast.op_district)


@pytest.mark.parametrize("who", REFUSED)
def test_staff_without_intake_and_outsiders_are_refused_everything(cast, mapping, batch, client_for, who):
    user = getattr(cast, who)
    client = client_for(user)
    assert client.get(reverse("imports:index")).status_code == 403
    upload = client.post(reverse("imports:index"), {"mapping": mapping.pk,
                                                    "file": SimpleUploadedFile("a.csv", make_csv([row(工单编号="x")]))})
    assert upload.status_code == 403
    for method, url in batch_urls(batch.pk):
        assert getattr(client, method)(url).status_code == 403, url
    with pytest.raises(PermissionDenied):
        batch_create(mapping=mapping, name="a.csv", content=make_csv([row()]), user=user)
    with pytest.raises(PermissionDenied):
        batch_start(batch=batch, user=user, enqueue=False)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert ImportBatch.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, batch):
    for method, url in [("get", reverse("imports:index")), *batch_urls(batch.pk)]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and reverse("accounts:login") in response.url, url


def test_operators_and_service_point_staff_may_import(cast, mapping, client_for):
    for user in (cast.op_district, cast.op_street, cast.op_community, cast.station):
        client = client_for(user)
        assert client.get(reverse("imports:index")).status_code == 200
        response = client.post(reverse("imports:index"), {
            "mapping": mapping.pk, "file": SimpleUploadedFile("a.csv", make_csv([row(工单编号=user.username)]))})
        assert response.status_code == 302, user


def test_a_batch_is_seen_by_its_unit_and_the_centres_above_never_by_others(cast, mapping, client_for):
    community = batch_create(mapping=mapping, name="c.csv", content=make_csv([row()]), user=cast.op_community)
    district = batch_create(mapping=mapping, name="d.csv", content=make_csv([row()]), user=cast.op_district)
    url = lambda b: reverse("imports:batch", args=[b.pk])  # noqa: E731
    assert client_for(cast.station).get(url(community)).status_code == 200  # same community centre
    assert client_for(cast.op_street).get(url(community)).status_code == 200  # the street centre above it
    assert client_for(cast.op_district).get(url(community)).status_code == 200
    assert client_for(cast.op_community).get(url(district)).status_code == 404  # not below the community
    assert client_for(cast.luohu_op).get(url(community)).status_code == 404
    listing = client_for(cast.luohu_op).get(reverse("imports:index")).content.decode()
    assert "data-batch=" not in listing
