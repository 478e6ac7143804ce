from axes.apps import AppConfig as AxesAppConfig


class SignInProtectionConfig(AxesAppConfig):
    """django-axes under a name editors understand in the admin's menu (its label stays ``axes``)."""

    verbose_name = "Sign-in lock-outs"
