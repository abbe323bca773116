"""The radar's passes, run by the task worker: over every district (enqueued by fq_scheduler every few minutes)
and over one district (enqueued after a submission, at most once a minute per district: hooks.radar_soon)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_radar() -> dict[str, dict[str, int]]:
    from fengqiao.warnings.services import radar_run_all

    return {code: {"raised": len(r.raised), "updated": len(r.updated)} for code, r in radar_run_all().items()}


@task()
def run_radar_district(district_id: int) -> dict[str, int]:
    from fengqiao.org.models import Region
    from fengqiao.warnings.services import radar_run

    district = Region.objects.filter(pk=district_id).first()
    if district is None:
        return {"raised": 0, "updated": 0}
    result = radar_run(district)
    return {"raised": len(result.raised), "updated": len(result.updated)}
