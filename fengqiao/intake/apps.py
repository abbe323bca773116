from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "fengqiao.intake"
    label = "intake"
    verbose_name = _("Intake channels")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from fengqiao.intake.places import forget_community_groups
        from fengqiao.org.models import Region

        post_save.connect(forget_community_groups, sender=Region, dispatch_uid="intake.forget_communities.save")
        post_delete.connect(forget_community_groups, sender=Region, dispatch_uid="intake.forget_communities.delete")
