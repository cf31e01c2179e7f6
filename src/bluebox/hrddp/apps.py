from django.apps import AppConfig


class HrddpConfig(AppConfig):
    name = "bluebox.hrddp"
    label = "hrddp"
    verbose_name = "Human rights due diligence"
