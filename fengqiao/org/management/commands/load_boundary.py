"""./fq manage load_boundary REGION_CODE FILE [--crs auto|wgs84|gcj02] [--remove]

Loads a region's outline from a GeoJSON file at the server's shell (IT staff), with the same checks as the
administrator's page /org/regions/<code>/boundary/ (fengqiao.org.boundaries): a refused file changes nothing and
the reason is printed in Chinese and English. Recorded as a boundary change made "by command".
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fengqiao.org import boundaries, boundary_services
from fengqiao.org.models import Region


class Command(BaseCommand):
    help = "Load (or --remove) a region's outline from a GeoJSON file, checked as on the administrator's page."

    def add_arguments(self, parser):
        parser.add_argument("code", help="the region's code, e.g. 440311001 (光明街道)")
        parser.add_argument("file", nargs="?", help="a GeoJSON file (Feature, FeatureCollection, Polygon…)")
        parser.add_argument(
            "--crs",
            choices=boundaries.CRS_CHOICES,
            default=boundaries.AUTO,
            help="coordinate system of the file (default: as the file says, else WGS84)",
        )
        parser.add_argument("--remove", action="store_true", help="remove the region's outline instead")

    def handle(self, *args, code: str, file: str | None, crs: str, remove: bool, **options):
        region = Region.objects.select_related("parent").filter(code=code).first()
        if region is None:
            raise CommandError(f"No region with code {code!r}.")
        if remove:
            change = boundary_services.boundary_remove(region=region, via="command")
            self.stdout.write(f"{region.code} {region.name}: " + ("outline removed" if change else "had no outline"))
            return
        if not file:
            raise CommandError("Name the GeoJSON file (or use --remove).")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file!r}.")
        try:
            boundaries.check_size(path.stat().st_size)
            outline = boundary_services.outline_for(region, path.read_bytes(), crs)
        except boundaries.BoundaryRefused as refusal:
            raise CommandError(
                f"{region.code} {region.name}: refused ({refusal.code}): {refusal.bilingual()}"
            ) from None
        change = boundary_services.boundary_set(region=region, outline=outline, via="command", file_name=path.name)
        note = " (converted from GCJ-02)" if outline.crs == boundaries.GCJ02 else ""
        if outline.simplified_m:
            note += f" (simplified from {outline.input_vertices} points, tolerance {outline.simplified_m} m)"
        self.stdout.write(
            f"{region.code} {region.name}: outline loaded{note}: {outline.vertices} points, "
            f"{outline.area_km2:.2f} km², point {region.latitude:.6f},{region.longitude:.6f}, "
            f"sha256 {change.new_sha256[:12]}"
        )
