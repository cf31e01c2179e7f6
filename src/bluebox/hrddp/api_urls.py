from django.urls import path

from bluebox.hrddp import api

urlpatterns = [
    path("hrddp/units/", api.UnitList.as_view(), name="api-hrddp-unit-list"),
    path("hrddp/units/<int:pk>/", api.UnitDetail.as_view(), name="api-hrddp-unit-detail"),
    path("hrddp/assessments/", api.AssessmentListCreate.as_view(), name="api-hrddp-assessments"),
    path("hrddp/decisions/", api.DecisionListCreate.as_view(), name="api-hrddp-decisions"),
    path("hrddp/overrides/", api.OverrideCreate.as_view(), name="api-hrddp-overrides"),
    path("hrddp/gate/", api.Gate.as_view(), name="api-hrddp-gate"),
    path("hrddp/calendar/", api.Calendar.as_view(), name="api-hrddp-calendar"),
]
