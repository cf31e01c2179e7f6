from django.urls import path

from bluebox.forecasting import views

urlpatterns = [
    path("", views.forecast_index, name="forecast-index"),
    path("runs/new/", views.run_start, name="forecast-run-start"),
    path("runs/<int:pk>/", views.run_detail, name="forecast-run"),
    path("runs/<int:pk>/progress/", views.run_progress, name="forecast-run-progress"),
    path("candidates/<int:pk>/draft/", views.candidate_draft, name="forecast-candidate-draft"),
    path(
        "candidates/<int:pk>/dismiss/", views.candidate_dismiss, name="forecast-candidate-dismiss"
    ),
]
