"""Drop this process's street locator and place matcher when a unit, community or place changes,
so routing sees new boundaries and names at once."""
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from . import geo, places
from .models import Community, Place, Unit


@receiver(post_save)
@receiver(post_delete)
def reset_locator(sender, instance=None, **kwargs) -> None:
    # Proxy models (Street, District...) send with their own class, so match on the instance.
    if isinstance(instance, Unit):
        geo.reset_locator()
    if isinstance(instance, Unit | Community | Place):
        places.reset_matcher()


@receiver(m2m_changed, sender=Place.streets.through)
def reset_matcher(sender, **kwargs) -> None:
    places.reset_matcher()
