"""./fq manage export_openapi > openapi.json — the document /api/v1/openapi.json serves (tests compare them)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand
from django.utils import translation

from fengqiao.api.main import api


def openapi_document() -> dict:
    with translation.override("en"):
        return api.get_openapi_schema()


def render(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


class Command(BaseCommand):
    help = "Print the OpenAPI document of the partner API (commit it as openapi.json at the repository root)."

    def handle(self, *args, **options):
        self.stdout.write(render(openapi_document()), ending="")
