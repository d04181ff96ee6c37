import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from undersigned.organisations.models import Organisation, Target
from undersigned.petitions.models import Petition
from undersigned.staff.models import Membership

from .second_factors import give_code_in_session

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
    assert str(data_dir / "demo-logins.txt") in capsys.readouterr().out


def logins(data_dir) -> list[list[str]]:
    return [line.split() for line in (data_dir / "demo-logins.txt").read_text().splitlines()]


def test_load_demo_writes_one_login_per_organisation_and_an_operator(data_dir, client):
    call_command("load_demo")
    lines = logins(data_dir)
    assert all(len(fields) == 4 for fields in lines)
    assert lines[0][0] == "staff" and lines[0][2:] == ["-", "operator"]
    members = {organisation: (user, role) for user, _pw, organisation, role in lines[1:]}
    assert set(members) == set(Organisation.objects.values_list("slug", flat=True))
    assert {role for _user, role in members.values()} == {
        "campaigner",
        "data-officer",
        "organisation-admin",
    }
    for username, password, organisation, role in lines:
        user = get_user_model().objects.get(username=username)
        assert user.is_staff and user.check_password(password)
        if organisation != "-":
            membership = Membership.objects.get(user=user)
            assert (membership.organisation.slug, membership.role.slug) == (organisation, role)
    assert get_user_model().objects.get(username="staff").is_superuser
    assert oct((data_dir / "demo-logins.txt").stat().st_mode & 0o777) == "0o600"


def test_each_demo_campaigner_sees_only_its_own_organisations_actions(data_dir, client):
    call_command("load_demo")
    for username, password, organisation, _role in logins(data_dir)[1:]:
        assert client.login(username=username, password=password)
        give_code_in_session(client, get_user_model().objects.get(username=username))
        shown = client.get("/admin/petitions/petition/").content.decode()
        for petition in Petition.objects.all():
            mine = petition.organiser.slug == organisation
            assert (f">{petition.slug}<" in shown) == mine, (username, petition.slug)
        client.logout()


def test_load_demo_twice_changes_nothing(data_dir, capsys):
    call_command("load_demo")
    counts = (
        Organisation.objects.count(),
        Target.objects.count(),
        get_user_model().objects.count(),
    )
    before = (data_dir / "demo-logins.txt").read_text()
    call_command("load_demo")
    assert (
        Organisation.objects.count(),
        Target.objects.count(),
        get_user_model().objects.count(),
    ) == counts
    assert (data_dir / "demo-logins.txt").read_text() == before


def test_load_demo_publishes_the_seeds_posts_linked_to_their_actions(data_dir, client):
    from undersigned.news.models import Cover, Kind, Post

    call_command("load_demo")
    call_command("load_demo")  # idempotent
    assert Post.objects.count() == 4
    kinds = set(Post.objects.values_list("kind", flat=True))
    assert kinds == {Kind.NEWS, Kind.STATEMENT, Kind.PRESS_RELEASE}
    release = Post.objects.get(kind=Kind.PRESS_RELEASE)
    assert release.letters.filter(slug="emergency-session-syria").exists()
    assert release.press_contacts.get().email.endswith("@example.org")
    html = client.get(release.url_in("ar")).content.decode()
    assert "واشنطن" in html and "محتوى ذو صلة" in html and "اقرأ الرسالة كاملة" in html
    letter_page = client.get("/en/letters/emergency-session-syria/").content.decode()
    assert "Latest news" in letter_page
    assert "223 organisations urge" in letter_page
    for cover in Cover.objects.all():  # resized and named by content, like uploads
        assert cover.variants and cover.image.name.startswith("news/covers/original/")
        assert release.slug not in cover.image.name and cover.width > 0


def test_the_demo_petition_shows_approved_messages_in_both_languages(data_dir, client):
    from undersigned.petitions.models import SupportMessage

    call_command("load_demo")
    call_command("load_demo")  # made once
    petition = Petition.objects.get(slug="truth-for-syrias-disappeared")
    assert petition.messages_enabled
    assert SupportMessage.objects.filter(petition=petition).count() == 6
    page = client.get("/en/petitions/truth-for-syrias-disappeared/").content.decode()
    assert 'name="message"' in page and "Messages of support" in page
    assert "Every family deserves to know the truth." in page
    assert "الحقيقة حق لكل عائلة." in page
    assert "a message staff have not read yet" not in page


def test_the_demo_coalition_letter_is_co_hosted_with_a_link_each(data_dir, client):
    from undersigned.letters.models import CoHost

    call_command("load_demo")
    call_command("load_demo")  # made once
    hosts = CoHost.objects.filter(letter__slug="emergency-session-syria")
    assert sorted(hosts.values_list("organisation__slug", "code")) == [
        ("snhr", "snhr"),
        ("the-syria-campaign", "tsc"),
    ]
    page = client.get("/en/letters/emergency-session-syria/?source=tsc").content.decode()
    assert "Co-hosted by" in page
