from django.urls import path

from bluebox.evaluation import api

urlpatterns = [
    path(
        "evaluation/sites/<int:pk>/",
        api.SiteEvaluationView.as_view(),
        name="api-evaluation-site",
    ),
]
