from django.urls import path

from fengqiao.backlog import views

app_name = "backlog"
urlpatterns = [
    path("", views.board, name="board"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("campaigns/<int:pk>/plan/<int:entry>/", views.campaign_plan, name="campaign_plan"),
    path("campaigns/<int:pk>/batch/", views.campaign_batch, name="campaign_batch"),
]
