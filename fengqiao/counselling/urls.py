from django.urls import path

from fengqiao.counselling import views

app_name = "counselling"
urlpatterns = [
    path("", views.engagement_list, name="list"),
    path("open/", views.engagement_open, name="open"),
    path("audit/", views.audit_log, name="audit"),
    path("<int:pk>/", views.engagement_detail, name="detail"),
    path("<int:pk>/export.pdf", views.engagement_export, name="export"),
    path("<int:pk>/log/", views.access_log, name="log"),
    path("<int:pk>/grants/<int:grant_id>/revoke/", views.grant_revoke, name="revoke"),
    path("<int:pk>/<str:what>/", views.engagement_write, name="write"),
]
