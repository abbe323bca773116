"""/agreements/: the mediation agreement (staff pages, the PDF, follow-ups) and its public verification page."""

from django.urls import path

from fengqiao.mediation import views_agreement as views

app_name = "agreements"
urlpatterns = [
    path("new/<int:mediation_pk>/", views.agreement_new, name="new"),
    path("<int:pk>/", views.agreement_detail, name="detail"),
    path("<int:pk>/edit/", views.agreement_edit, name="edit"),
    path("<int:pk>/act/<slug:action>/", views.agreement_act, name="act"),
    path("<int:pk>/pdf/", views.agreement_pdf_download, name="pdf"),
    path("<int:pk>/scan/", views.agreement_scan, name="scan"),
    path("follow-ups/", views.followups, name="followups"),
    path("follow-ups/<int:pk>/", views.followup_record, name="followup_record"),
    path("track/<str:code>/<int:pk>/pdf/", views.track_pdf, name="track_pdf"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify_code, name="verify_code"),
]
