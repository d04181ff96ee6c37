"""What higher apps add to an action's public page, below its text.

The news app adds the action's latest posts; the petition and letter pages render whatever
is registered here with `{% action_extras action %}` without importing those apps.
"""

from collections.abc import Callable

from django.utils.html import format_html_join
from django.utils.safestring import SafeString

Extra = Callable[[object, str], str]
_extras: list[Extra] = []


def register(extra: Extra) -> Extra:
    _extras.append(extra)
    return extra


def render_extras(action, language: str) -> SafeString:
    fragments = [extra(action, language) for extra in _extras]
    return format_html_join("\n", "{}", ((fragment,) for fragment in fragments if fragment))
