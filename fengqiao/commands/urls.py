from django.urls import path

from fengqiao.commands import views

app_name = "commands"
urlpatterns = [
    path("", views.command_list, name="list"),
    path("new/<str:code>/", views.command_new, name="new"),
    path("<str:number>/", views.command_detail, name="detail"),
    path("<str:number>/live/", views.command_live, name="live"),
    path("<str:number>/sign/", views.command_sign, name="sign"),
    path("<str:number>/check-in/<int:target>/", views.command_checkin, name="checkin"),
    path("<str:number>/post/", views.command_post, name="post"),
    path("<str:number>/photo/<int:target>/", views.command_photo, name="photo"),
    path("<str:number>/<slug:move>/", views.command_close, name="close"),
]
