from django.urls import path

from bluebox.guide import views

urlpatterns = [
    path("", views.answer_page, name="guide-answer"),
    path("rules/", views.versions, name="guide-versions"),
    path("rules/new/", views.version_propose, name="guide-propose"),
    path("rules/<int:pk>/", views.version_detail, name="guide-version"),
    path("rules/<int:pk>/approve/", views.version_approve, name="guide-approve"),
    path("rules/<int:pk>/refuse/", views.version_refuse, name="guide-refuse"),
]
