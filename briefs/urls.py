from django.urls import path, register_converter

from . import views
from .converters import TwoDigitConverter

register_converter(TwoDigitConverter, "dd")

app_name = "briefs"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("briefs/", views.BriefListView.as_view(), name="list"),
    path("briefs/<int:year>/<dd:month>/<dd:day>/<slug:slug>/", views.BriefDetailView.as_view(), name="detail"),
    path("types/<slug:slug>/", views.TypeDetailView.as_view(), name="type"),
]
