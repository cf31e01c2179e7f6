from django.urls import path

from bluebox.overview import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
