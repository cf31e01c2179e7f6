from django.urls import path

from bluebox.forecasting import api

urlpatterns = [
    path("forecast/runs/", api.RunListCreate.as_view(), name="api-forecast-run-list"),
    path("forecast/runs/<int:pk>/", api.RunDetail.as_view(), name="api-forecast-run-detail"),
    path("forecast/runs/<int:pk>/areas/", api.RunAreas.as_view(), name="api-forecast-run-areas"),
]
