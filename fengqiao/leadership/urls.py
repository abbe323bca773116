from django.urls import path

from fengqiao.leadership import views

app_name = "leadership"
urlpatterns = [
    path("", views.home, name="home"),
    path("take/<str:code>/", views.take, name="take"),
    path("owned/<int:pk>/supervise/", views.supervise, name="supervise"),
    path("owned/<int:pk>/release/", views.release, name="release"),
    path("duty/", views.shift_new, name="shift_new"),
    path("duty/<int:pk>/record/", views.shift_record, name="shift_record"),
]
