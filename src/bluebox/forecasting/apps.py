from django.apps import AppConfig


class ForecastingConfig(AppConfig):
    name = "bluebox.forecasting"
    label = "forecasting"
    verbose_name = "Early warning"
