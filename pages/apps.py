from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Site pages"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from serving import invalidate_everything

        from .models import Page

        # The footer links every page and each page is cached whole: an edit must show at once.
        def changed(sender, **kwargs):
            invalidate_everything()

        post_save.connect(changed, sender=Page, dispatch_uid="pages-changed-save", weak=False)
        post_delete.connect(changed, sender=Page, dispatch_uid="pages-changed-delete", weak=False)
