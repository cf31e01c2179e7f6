from django.urls import path

from bluebox.overview import sitrep_views, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("sitrep/", sitrep_views.sitrep_page, name="sitrep"),
    path("sitrep/report.pdf", sitrep_views.sitrep_pdf, name="sitrep-pdf"),
    path("sitrep/figures.csv", sitrep_views.sitrep_csv, name="sitrep-csv"),
    path("map/", views.operational_picture, name="operational-picture"),
    path("map/data/", views.operational_picture_data, name="operational-picture-data"),
]
