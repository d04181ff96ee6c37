"""What the home page lists: every public action, open ones first.

Each action app (petitions, letters) registers a function that returns its public actions
in a language; the home page merges them without knowing their models.
"""

from collections.abc import Callable, Iterable
from typing import Any

ActionSource = Callable[[str], Iterable[Any]]
_sources: list[ActionSource] = []

# Open actions first, then closed, then delivered.
STATE_ORDER = {"open": 0, "closed": 1, "delivered": 2}


def register(source: ActionSource) -> ActionSource:
    _sources.append(source)
    return source


def list_actions(language: str) -> list[Any]:
    actions = [action for source in _sources for action in source(language)]
    return sorted(actions, key=lambda a: (STATE_ORDER.get(a.state, 9), -a.sort_timestamp()))
