from django.urls import path

from bluebox.deployment import api

urlpatterns = [
    path("deployment/caveats/", api.CaveatListCreate.as_view(), name="api-deployment-caveats"),
    path("deployment/plans/", api.PlanListCreate.as_view(), name="api-deployment-plan-list"),
    path("deployment/plans/<int:pk>/", api.PlanDetail.as_view(), name="api-deployment-plan"),
    path(
        "deployment/plans/<int:pk>/propose/",
        api.PlanPropose.as_view(),
        name="api-deployment-plan-propose",
    ),
    path(
        "deployment/plans/<int:pk>/decide/",
        api.PlanDecide.as_view(),
        name="api-deployment-plan-decide",
    ),
    path(
        "deployment/plans/<int:pk>/whatif/",
        api.PlanWhatIf.as_view(),
        name="api-deployment-plan-whatif",
    ),
]
