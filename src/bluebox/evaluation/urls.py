from django.urls import path

from bluebox.evaluation import views

urlpatterns = [
    path("", views.index, name="evaluation-index"),
    path("sites/<int:pk>/", views.site, name="evaluation-site"),
    path("interventions/new/", views.intervention_new, name="evaluation-intervention-new"),
    path("interventions/<int:pk>/", views.intervention, name="evaluation-intervention"),
]
