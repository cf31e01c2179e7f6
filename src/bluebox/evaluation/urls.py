from django.urls import path

from bluebox.evaluation import views

urlpatterns = [
    path("", views.index, name="evaluation-index"),
    path("sites/<int:pk>/", views.site, name="evaluation-site"),
]
