"""What higher apps add to pages of lower ones, by slot.

- "action": below an action's text (the news app adds the action's latest posts, the
  subscribers app a "receive updates by email" form on letters);
- "home": below the home page's list of actions (the sign-up form);
- "staff-response": beside a target's response on the staff's delivery overview (the
  subscribers app's "Email it to the signers").

Petition and letter pages and the home page render a slot with `{% extras "action" letter %}`
without importing those apps. Each registered function takes the request and the object
(or None) and returns HTML, or "" for nothing.
"""

from collections import defaultdict
from collections.abc import Callable

from django.utils.html import format_html_join
from django.utils.safestring import SafeString

Extra = Callable[[object, object], str]
_extras: dict[str, list[Extra]] = defaultdict(list)


def register(slot: str, extra: Extra) -> Extra:
    _extras[slot].append(extra)
    return extra


def render_extras(slot: str, request, obj=None) -> SafeString:
    fragments = [extra(request, obj) for extra in _extras[slot]]
    return format_html_join("\n", "{}", ((fragment,) for fragment in fragments if fragment))
