from django.urls import path

from fengqiao.mediation import views_portal as v

app_name = "mediators"
urlpatterns = [
    path("", v.directory, name="directory"),
    path("<int:pk>/", v.mediator, name="mediator"),
    path("<int:pk>/book/", v.book, name="book"),
    path("booked/<str:code>/", v.booked, name="booked"),
    path("booking/", v.manage, name="manage"),
    path("booking/<str:code>/", v.booking, name="booking"),
    path("booking/<str:code>/cancel/", v.booking_cancel, name="cancel"),
    path("booking/<str:code>/move/", v.booking_move, name="move"),
    path("booking/<str:code>/rate/", v.booking_rate, name="rate"),
]
