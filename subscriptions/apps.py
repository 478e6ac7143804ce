from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = "Email alerts"

    def ready(self):
        from . import signals

        signals.connect()
