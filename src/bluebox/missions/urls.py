from django.urls import path

from bluebox.missions import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
