from django import template

from undersigned.workers.health import Health, check

register = template.Library()


@register.simple_tag
def worker_health() -> Health:
    return check()
