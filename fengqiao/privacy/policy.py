"""Shipped defaults for how long personal data is kept, and the answer time of residents' requests.

Retention (months after a record is closed; then its personal data is anonymised in place, statistics stay).
These are local policy with defaults chosen here — verify them against the district's archive rules
(档案管理) before production; the editable `RetentionRule` rows (admin) win over them.
"""

from __future__ import annotations

from fengqiao.cases.models import ServiceType

# (kind, service type or "" for any) -> months
RETENTION_DEFAULTS: dict[tuple[str, str], int] = {
    ("case", ""): 36,  # complaints, suggestions, assistance: three years after closing (verify)
    ("case", ServiceType.MEDIATION): 120,  # mediation files (人民调解卷宗) kept longer (verify)
    ("case", ServiceType.LEGAL): 120,  # legal-service files (verify)
    ("case", ServiceType.PSYCHOLOGICAL): 60,  # psychological-service records (verify)
    ("booking", ""): 12,  # a booking without a case: a year after its time (verify)
    ("request", ""): 36,  # the requests themselves: three years after the answer (verify)
}

# Residents' requests to see, copy or delete their data (PIPL art. 50 asks for a prompt answer and reasons for a
# refusal). Default: 15 working days; outer limit 30 calendar days (GB/T 35273-2020 §8.7 c) — verify);
# FQ_PRIVACY_REQUEST_DAYS may shorten the working days but the outer limit always applies.
REQUEST_WORKING_DAYS = 15
REQUEST_OUTER_LIMIT_DAYS = 30
