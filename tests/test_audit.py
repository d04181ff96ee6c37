import pytest
from django.contrib.auth import get_user_model

from undersigned.audit.models import AuditEntry, record
from undersigned.organisations.models import Target

pytestmark = pytest.mark.django_db


def test_record_keeps_who_did_what_to_which_object():
    staff = get_user_model().objects.create_user("nadia", is_staff=True)
    target = Target.objects.create(slug="icrc", name="ICRC", kind="institution")
    entry = record(staff, "petition.closed", target, reason="goal reached")
    assert (entry.username, entry.action, entry.object_type, entry.object_id) == (
        "nadia",
        "petition.closed",
        "organisations.target",
        str(target.pk),
    )
    assert entry.detail == {"reason": "goal reached"}


def test_audit_entries_cannot_be_changed_or_deleted():
    entry = record(None, "retention.finished")
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    assert AuditEntry.objects.count() == 1


def test_audit_log_is_read_only_in_the_admin(admin_client):
    entry = record(None, "retention.finished")
    assert admin_client.get("/admin/audit/auditentry/").status_code == 200
    assert admin_client.get("/admin/audit/auditentry/add/").status_code == 403
    assert (
        admin_client.post(
            f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )


@pytest.mark.parametrize("code", ["petition.close", "Petition.closed", "closed", "a.b.closed", ""])
def test_audit_codes_read_object_dot_past_tense_verb(code):
    with pytest.raises(ValueError):
        record(None, code)
    assert not AuditEntry.objects.exists()
