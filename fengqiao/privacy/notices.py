"""The privacy notice (个人信息处理告知), versioned as files in the repo: `data/notices/<version>/<lang>.md`.

A consent records the version and the SHA-256 of the exact text shown in the reader's language, so what a resident
agreed to can be shown again years later. A new version is a new folder; `CURRENT` names the one forms show.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

NOTICE_DIR = Path(__file__).resolve().parent / "data" / "notices"
CURRENT = "2026-12"
LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class Notice:
    version: str
    language: str
    text: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    @property
    def title(self) -> str:
        return self.text.splitlines()[0].lstrip("# ").strip()

    @property
    def body(self) -> str:
        return "\n".join(self.text.splitlines()[1:]).strip()


def notice_language(language_code: str | None) -> str:
    """'zh' for zh-hans (the default), 'en' for English."""
    return "en" if (language_code or "").lower().startswith("en") else "zh"


def versions() -> list[str]:
    return sorted(p.name for p in NOTICE_DIR.iterdir() if p.is_dir())


@lru_cache(maxsize=16)
def notice(version: str = CURRENT, language: str = "zh") -> Notice:
    """The notice text; KeyError for a version or language that does not exist."""
    if version not in versions() or language not in LANGUAGES:
        raise KeyError(version)
    return Notice(version=version, language=language, text=(NOTICE_DIR / version / f"{language}.md").read_text())
