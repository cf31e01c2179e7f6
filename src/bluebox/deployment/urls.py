from django.urls import path

from bluebox.deployment import views

urlpatterns = [
    path("", views.board, name="deployment-board"),
    path("forces/", views.forces, name="deployment-forces"),
    path("forces/roster/", views.forces_roster, name="deployment-forces-roster"),
    path("forces/units/<str:kind>/new/", views.forces_unit_save, name="deployment-unit-new"),
    path("forces/units/<str:kind>/<int:pk>/", views.forces_unit_save, name="deployment-unit"),
    path("forces/caveats/new/", views.forces_caveat_new, name="deployment-caveat-new"),
    path("forces/caveats/<int:pk>/lift/", views.forces_caveat_lift, name="deployment-caveat-lift"),
    path("plans/new/", views.plan_new, name="deployment-plan-new"),
    path("plans/<int:pk>/", views.plan_detail, name="deployment-plan"),
    path("plans/<int:pk>/progress/", views.plan_progress, name="deployment-plan-progress"),
    path("plans/<int:pk>/propose/", views.plan_propose, name="deployment-plan-propose"),
    path("plans/<int:pk>/decide/", views.plan_decide, name="deployment-plan-decide"),
    path("plans/<int:pk>/whatif/", views.plan_whatif, name="deployment-plan-whatif"),
    path("plans/<int:pk>/analysis/", views.plan_analysis, name="deployment-plan-analysis"),
    path("plans/<int:pk>/export.csv", views.plan_csv, name="deployment-plan-csv"),
    path("plans/<int:pk>/export.pdf", views.plan_pdf, name="deployment-plan-pdf"),
    path("compare/<int:a>/<int:b>/", views.compare, name="deployment-compare"),
    path("analyses/<int:pk>/", views.analysis_detail, name="deployment-analysis"),
    path(
        "analyses/<int:pk>/progress/", views.analysis_progress, name="deployment-analysis-progress"
    ),
]
