"""The ready-made roles a member can hold in an organisation, and what each may do.

Each role holds the permissions of the one before it, and more. The roles are made by a
migration and kept in step with this list after every `migrate` (see apps.py): edit them
here, not in the admin.
"""

from django.utils.translation import gettext_noop

VIEWER = "viewer"
CAMPAIGNER = "campaigner"
DATA_OFFICER = "data-officer"
ORGANISATION_ADMIN = "organisation-admin"


def crud(model: str, *verbs: str) -> list[str]:
    app, name = model.split(".")
    return [f"{app}.{verb}_{name}" for verb in verbs]


_VIEWER = [
    *crud("petitions.petition", "view"),
    *crud("petitions.petitiontext", "view"),
    *crud("petitions.demand", "view"),
    *crud("petitions.keyfact", "view"),
    *crud("petitions.photo", "view"),
    *crud("petitions.cohost", "view"),
    *crud("letters.letter", "view"),
    *crud("letters.network", "view"),
    *crud("letters.presscontact", "view"),
    *crud("letters.cohost", "view"),
    *crud("delivery.delivery", "view"),
    *crud("delivery.targetresponse", "view"),
    *crud("delivery.targetresponsetext", "view"),
    *crud("news.post", "view"),
    *crud("news.posttext", "view"),
    *crud("news.presscontact", "view"),
    *crud("news.cover", "view"),
    *crud("news.tag", "view"),
    *crud("subscribers.update", "view"),
    *crud("subscribers.updatetext", "view"),
    *crud("organisations.organisation", "view"),
    *crud("organisations.target", "view"),
]
_CAMPAIGNER = [
    *_VIEWER,
    *crud("petitions.petition", "add", "change"),
    *crud("petitions.petitiontext", "add", "change", "delete"),
    *crud("petitions.demand", "add", "change", "delete"),
    *crud("petitions.keyfact", "add", "change", "delete"),
    *crud("petitions.photo", "add", "change", "delete"),
    *crud("petitions.supportmessage", "view", "change"),
    *crud("petitions.cohost", "add", "change", "delete"),
    *crud("letters.letter", "add", "change"),
    *crud("letters.network", "add", "change", "delete"),
    *crud("letters.presscontact", "add", "change", "delete"),
    *crud("letters.cohost", "add", "change", "delete"),
    *crud("letters.endorsement", "view", "add", "change"),
    *crud("organisations.target", "add"),
    *crud("delivery.delivery", "add", "change"),
    *crud("delivery.targetresponse", "add", "change", "delete"),
    *crud("delivery.targetresponsetext", "add", "change", "delete"),
    "delivery.send_updates",
    *crud("news.post", "add", "change", "delete"),
    *crud("news.posttext", "add", "change", "delete"),
    *crud("news.presscontact", "add", "change", "delete"),
    *crud("news.cover", "add", "change", "delete"),
    *crud("news.tag", "add", "change", "delete"),
    *crud("subscribers.update", "add", "change", "delete"),
    *crud("subscribers.updatetext", "add", "change", "delete"),
    "subscribers.send_update",
]
_DATA_OFFICER = [
    *_CAMPAIGNER,
    *crud("petitions.signature", "view"),
    *crud("delivery.package", "view", "add", "delete"),
    "delivery.export_emails",
    "letters.export_contacts",
    *crud("supporters.invalidationbatch", "view", "add", "change"),
    *crud("audit.auditentry", "view"),
    *crud("subscribers.subscription", "view"),
]
_ORGANISATION_ADMIN = [
    *_DATA_OFFICER,
    *crud("staff.membership", "view", "add", "change", "delete"),
    *crud("organisations.organisation", "change"),
    *crud("api.apikey", "view", "add", "change"),
    *crud("api.webhookendpoint", "view", "add", "change", "delete"),
    *crud("api.webhookdelivery", "view"),
]

# slug: (name, what it may do, permissions)
ROLES = {
    VIEWER: (
        gettext_noop("Viewer"),
        gettext_noop("Sees the organisation's actions and their progress; changes nothing."),
        _VIEWER,
    ),
    CAMPAIGNER: (
        gettext_noop("Campaigner"),
        gettext_noop(
            "Creates, edits, translates, opens and closes the organisation's actions, "
            "moderates endorsements and records deliveries; sees counts and charts, never "
            "signers' names or emails."
        ),
        _CAMPAIGNER,
    ),
    DATA_OFFICER: (
        gettext_noop("Data officer"),
        gettext_noop(
            "Also sees signers, exports them (with emails), makes hand-over packages, "
            "sets suspicious signatures aside and reads the audit log."
        ),
        _DATA_OFFICER,
    ),
    ORGANISATION_ADMIN: (
        gettext_noop("Organisation admin"),
        gettext_noop("Also adds and removes the organisation's members and sets their roles."),
        _ORGANISATION_ADMIN,
    ),
}


def sync_roles(apps=None) -> None:
    """Create the roles and give each exactly its permissions (safe to run again)."""
    if apps is None:
        from django.apps import apps
    Role = apps.get_model("staff", "Role")
    Permission = apps.get_model("auth", "Permission")
    for rank, (slug, (name, description, permissions)) in enumerate(ROLES.items()):
        role, _ = Role.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "rank": rank}
        )
        wanted = set(permissions)
        found = [
            permission
            for permission in Permission.objects.select_related("content_type")
            if f"{permission.content_type.app_label}.{permission.codename}" in wanted
        ]
        role.permissions.set(found)
