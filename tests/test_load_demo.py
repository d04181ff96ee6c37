import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from undersigned.organisations.models import Organisation, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_load_demo_creates_the_seed_organisers_and_targets(data_dir, capsys):
    call_command("load_demo")
    assert set(Organisation.objects.values_list("slug", flat=True)) >= {
        "amnesty-international",
        "the-syria-campaign",
        "civic",
        "snhr",
        "conectas",
    }
    assert set(Target.objects.values_list("short_name", flat=True)) >= {"ICRC", "IIMP", "IIIM"}
    assert (
        Target.objects.get(slug="un-secretary-general").name_in("ar")
        == "الأمين العام للأمم المتحدة"
    )
    password = (data_dir / "staff-password.txt").read_text()
    assert f"password: {password}" in capsys.readouterr().out
    staff = get_user_model().objects.get(username="staff")
    assert staff.is_staff and staff.check_password(password)


def test_load_demo_twice_changes_nothing(data_dir, capsys):
    call_command("load_demo")
    counts = (
        Organisation.objects.count(),
        Target.objects.count(),
        get_user_model().objects.count(),
    )
    password = (data_dir / "staff-password.txt").read_text()
    call_command("load_demo")
    assert (
        Organisation.objects.count(),
        Target.objects.count(),
        get_user_model().objects.count(),
    ) == counts
    assert (data_dir / "staff-password.txt").read_text() == password
