from django.urls import path

from bluebox.alerts import views

urlpatterns = [
    path("", views.alert_board, name="alert-board"),
    path("cap/", views.cap_list, name="cap-list"),
    path("cap/<int:pk>/", views.cap_detail, name="cap-detail"),
    path("cap/<int:pk>/publish/", views.cap_publish, name="cap-publish"),
    path("cap/<int:pk>/amend/", views.cap_amend, name="cap-amend"),
    path("<int:pk>/", views.alert_detail, name="alert-detail"),
    path("<int:pk>/<str:action>/", views.alert_action, name="alert-action"),
]
