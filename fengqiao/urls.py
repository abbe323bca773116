from django.contrib import admin
from django.urls import include, path

admin.site.site_header = admin.site.site_title = "枫桥 Fengqiao"

urlpatterns = [
    path("", include("fengqiao.core.urls")),
    path("accounts/", include("fengqiao.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
