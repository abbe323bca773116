from django.urls import path

from fengqiao.petitions import views

app_name = "petitions"
urlpatterns = [
    path("", views.petition_list, name="list"),
    path("mine/", views.petition_mine, name="mine"),
    path("register/<str:code>/", views.petition_register, name="register"),
    path("<str:number>/", views.petition_detail, name="detail"),
    path("<str:number>/act/<str:move>/", views.petition_act, name="act"),
    path("<str:number>/pdf/<str:slug>/", views.petition_pdf, name="pdf"),
]
