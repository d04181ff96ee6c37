"""A letter's PDF is rendered again whenever what it shows changes: the letter, its listed
signatories or its footnotes. Changes made with queryset updates or bulk inserts (review,
import) ask for it in the services themselves."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Endorsement, Letter, Network
from .pdf import schedule_render


@receiver(post_save, sender=Letter)
def letter_saved(sender, instance, **kwargs):
    schedule_render(instance)


@receiver([post_save, post_delete], sender=Endorsement)
def signatory_changed(sender, instance, **kwargs):
    # An endorsement waiting for review is not on the list: endorsing asks for nothing.
    if instance.status == Endorsement.Status.APPROVED:
        schedule_render(instance.letter)


@receiver([post_save, post_delete], sender=Network)
def footnote_changed(sender, instance, **kwargs):
    schedule_render(instance.letter)
