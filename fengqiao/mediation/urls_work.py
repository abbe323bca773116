"""The mediator's workspace, mounted at /mediation/ (fengqiao.mediation.views_work)."""

from django.urls import path

from fengqiao.mediation import views_work as v

app_name = "mediation"
urlpatterns = [
    path("", v.home, name="home"),
    path("open/<str:code>/", v.open_case, name="open_case"),
    path("open/booking/<int:pk>/", v.open_booking, name="open_booking"),
    path("<int:pk>/", v.detail, name="detail"),
    path("<int:pk>/team/", v.team_add, name="team_add"),
    path("<int:pk>/team/<int:member>/remove/", v.team_remove, name="team_remove"),
    path("<int:pk>/sessions/", v.session_schedule, name="session_schedule"),
    path("<int:pk>/sessions/<int:session>/hold/", v.session_hold, name="session_hold"),
    path("<int:pk>/sessions/<int:session>/cancel/", v.session_cancel, name="session_cancel"),
    path("<int:pk>/sessions/<int:session>/attendees/", v.attendee_add, name="attendee_add"),
    path("<int:pk>/sign/<int:attendee>/", v.record_sign, name="record_sign"),
    path("<int:pk>/extend/", v.extend, name="extend"),
    path("<int:pk>/conclude/", v.conclude, name="conclude"),
]
