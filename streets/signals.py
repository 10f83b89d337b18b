"""Drop this process's street locator when a unit changes, so routing sees new boundaries."""
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import geo
from .models import Unit


@receiver(post_save)
@receiver(post_delete)
def reset_locator(sender, instance=None, **kwargs) -> None:
    # Proxy models (Street, District...) send with their own class, so match on the instance.
    if isinstance(instance, Unit):
        geo.reset_locator()
