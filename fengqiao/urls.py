from django.contrib import admin
from django.urls import include, path

from fengqiao.core import errors

admin.site.site_header = admin.site.site_title = "枫桥 Fengqiao"

urlpatterns = [
    path("", include("fengqiao.core.urls")),
    path("accounts/", include("fengqiao.accounts.urls")),
    path("cases/", include("fengqiao.cases.urls")),
    path("triage/", include("fengqiao.triage.urls")),
    path("notifications/", include("fengqiao.notifications.urls")),
    path("", include("fengqiao.intake.urls")),
    path("imports/", include("fengqiao.imports.urls")),
    path("mediators/", include("fengqiao.mediation.urls_portal")),  # residents: find a mediator, book, rate
    path("mediation/", include("fengqiao.mediation.urls_work")),  # mediators: calendar, mediations, sessions
    path("agreements/", include("fengqiao.mediation.urls_agreement")),  # agreements, PDF, /agreements/verify/
    path("legal/", include("fengqiao.legal.urls")),  # judicial confirmation, referrals, the six linkages
    path("petitions/", include("fengqiao.petitions.urls")),
    path("counselling/", include("fengqiao.counselling.urls")),
    path("commands/", include("fengqiao.commands.urls")),  # 发令报到: commands, check-in, the live thread
    path("leadership/", include("fengqiao.leadership.urls")),  # 领导包案 and 下沉接访
    path("backlog/", include("fengqiao.backlog.urls")),  # 存量动态清零: the board and special campaigns
    path("screen/", include("fengqiao.dashboard.urls")),  # 指挥中心大屏: the live map and figures, /screen/data.json
    path("warnings/", include("fengqiao.warnings.urls")),  # 民意雷达: early warnings and their closed loop
    path("privacy/", include("fengqiao.privacy.urls")),  # privacy notice, residents' data requests, export log
    path("org/", include("fengqiao.org.urls")),  # separation of duties: roles waiting for approval, their audit trail
    path("audit/", include("fengqiao.audit.urls")),  # the tamper-evident audit trail: anchors, a case's chain checked
    path("open311/v2/", include("fengqiao.open311.urls")),
    path("api/v1/", include("fengqiao.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("favicon.ico", errors.favicon, name="favicon"),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
