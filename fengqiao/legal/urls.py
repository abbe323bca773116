from django.urls import path

from fengqiao.legal import views

app_name = "legal"
urlpatterns = [
    path("", views.home, name="home"),
    path("agreements/<int:pk>/apply/", views.apply, name="apply"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("applications/<int:pk>/pdf/", views.application_pdf, name="application_pdf"),
    path("applications/<int:pk>/package/", views.application_package, name="application_package"),
    path("applications/<int:pk>/<slug:move>/", views.application_act, name="application_act"),
    path("court/", views.court, name="court"),
    path("court/pre-litigation/", views.pre_litigation, name="pre_litigation"),
    path("inbox/", views.inbox, name="inbox"),
    path("linkages/new/", views.linkage_new, name="linkage_new"),
    path("linkages/<int:pk>/", views.linkage, name="linkage"),
    path("linkages/<int:pk>/<slug:move>/", views.linkage_act, name="linkage_act"),
    path("referrals/new/", views.referral_new, name="referral_new"),
    path("referrals/<int:pk>/", views.referral, name="referral"),
    path("referrals/<int:pk>/pdf/", views.referral_pdf, name="referral_pdf"),
    path("referrals/<int:pk>/<slug:move>/", views.referral_act, name="referral_act"),
]
