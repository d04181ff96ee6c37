"""Which organisation an object belongs to.

Every model whose rows belong to an organisation names the way to it in a class attribute,
`organisation_path`: "organiser", "petition__organiser", "pk" (an organisation itself), or
a tuple of such paths where the row belongs to one of several kinds of parent.
"""

from django.db.models import Q


def paths_of(model) -> tuple[str, ...]:
    path = getattr(model, "organisation_path", None)
    if path is None:
        raise TypeError(f"{model.__name__} does not say which organisation it belongs to")
    return (path,) if isinstance(path, str) else tuple(path)


def is_owned(model) -> bool:
    return getattr(model, "organisation_path", None) is not None


def organisation_of(obj) -> int | None:
    """The id of the organisation `obj` belongs to, following its `organisation_path`."""
    for path in paths_of(type(obj)):
        if path == "pk":
            return obj.pk
        *hops, last = path.split("__")
        target = obj
        for hop in hops:
            target = getattr(target, hop, None)
            if target is None:
                break
        else:
            organisation_id = getattr(target, f"{last}_id", None)
            if organisation_id is not None:
                return organisation_id
    return None


def within(model, organisation_ids) -> Q:
    """The rows of `model` that belong to one of these organisations."""
    condition = Q(pk__in=[])
    for path in paths_of(model):
        condition |= Q(**{f"{path}__in": organisation_ids})
    return condition
