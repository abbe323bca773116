"""Django's own messages that its Chinese catalogue lacks, named here so `makemessages` keeps our translation of
them (the translation lives in fengqiao/locale; Django looks there first)."""

from django.utils.translation import ngettext_lazy

MISSING_FROM_DJANGO = [
    ngettext_lazy("This password is too short. It must contain at least %d character.",
                  "This password is too short. It must contain at least %d characters.", "min_length"),
]
