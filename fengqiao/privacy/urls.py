from django.urls import path

from fengqiao.privacy import views

app_name = "privacy"
urlpatterns = [
    path("notice/", views.notice, name="notice"),
    path("notice/<str:version>/", views.notice, name="notice_version"),
    # residents (signed in)
    path("my/", views.my_requests, name="mine"),
    path("my/<str:number>/copy.json", views.my_copy, name="my_copy"),
    path("my/<str:number>/withdraw/", views.my_withdraw, name="my_withdraw"),
    # staff
    path("requests/", views.request_list, name="requests"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<str:number>/", views.request_detail, name="request"),
    path("requests/<str:number>/copy.json", views.request_copy, name="request_copy"),
    path("requests/<str:number>/<str:move>/", views.request_act, name="request_act"),
    path("exports/", views.export_log, name="exports"),
]
