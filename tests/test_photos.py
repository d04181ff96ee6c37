"""Photos: stored under names made from their content, resized into real srcset variants,
written with plain integer sizes in every language, lazy below the first screen."""

import re
from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from undersigned.petitions.models import Petition, Photo

from .factories import make_petition

pytestmark = pytest.mark.django_db

URL = "/{language}/petitions/free-the-detained/"
IMG = re.compile(r"<img [^>]*>")


def upload(name: str, colour=(90, 60, 30), size=(2400, 1600)) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def attribute(tag: str, name: str) -> str:
    found = re.search(rf'\s{name}="([^"]*)"', tag)
    return found.group(1) if found else None


def stored_names(photo: Photo) -> list[str]:
    return [photo.image.name, *photo.variants.values()]


def test_a_photo_is_stored_under_its_content_never_the_uploaded_name():
    petition = make_petition()
    photo = Photo.objects.create(
        petition=petition, image=upload("Amal Haddad at the vigil.jpg"), alt_text="A vigil"
    )
    for name in stored_names(photo):
        assert re.fullmatch(r"petitions/photos/(original/)?[0-9a-f]{32}(-\d+w)?\.jpg", name), name
        assert default_storage.exists(name)
        assert "amal" not in default_storage.url(name).lower()
    again = Photo.objects.create(
        petition=petition, image=upload("another name.jpg"), alt_text="The same picture"
    )
    assert stored_names(again) == stored_names(photo)  # same content, same names, stored once
    other = Photo.objects.create(
        petition=petition, image=upload("x.jpg", colour=(10, 20, 200)), alt_text="Another"
    )
    assert set(stored_names(other)).isdisjoint(stored_names(photo))


@pytest.mark.parametrize("language", ["en", "ar"])
def test_photos_have_integer_sizes_real_variants_and_lazy_gallery(client, language):
    petition = make_petition()
    for position, colour in enumerate([(90, 60, 30), (20, 90, 40), (30, 30, 120)]):
        Photo.objects.create(
            petition=petition,
            position=position,
            image=upload(f"photo-{position}.jpg", colour=colour),
            alt_text=f"Photo {position}",
            translated_alt_text={"ar": f"صورة {position}"},
        )
    html = client.get(URL.format(language=language)).content.decode()
    photos = [tag for tag in IMG.findall(html) if "/media/petitions/photos/" in tag]
    assert len(photos) == 3
    for index, tag in enumerate(photos):
        # 2400 × 1600 uploads are served at most 1600 wide: "1600", never "1,600" or "1٬600"
        assert (attribute(tag, "width"), attribute(tag, "height")) == ("1600", "1067"), tag
        widths = []
        for candidate in attribute(tag, "srcset").split(", "):
            url, width = candidate.split(" ")
            assert url.startswith("/media/") and default_storage.exists(url[len("/media/") :])
            with default_storage.open(url[len("/media/") :]) as variant, Image.open(variant) as i:
                assert f"{i.width}w" == width
            widths.append(width)
        assert widths == ["480w", "960w", "1600w"]
        # The first photo is on the first screen; the gallery below it loads when scrolled to.
        assert (attribute(tag, "loading") == "lazy") == (index > 0), tag


def test_the_demo_photos_are_resized_and_load_demo_mends_older_ones(settings, tmp_path, client):
    settings.DATA_DIR = tmp_path
    call_command("load_demo")
    petition = Petition.objects.get(slug="truth-for-syrias-disappeared")
    photos = list(petition.photos.all())
    assert photos and all(photo.width == 1600 and photo.height == 1000 for photo in photos)
    assert all(sorted(photo.variants, key=int) == ["480", "960", "1600"] for photo in photos)
    assert all(default_storage.exists(name) for p in photos for name in stored_names(p))

    # A demo loaded before photos were resized, under the uploaded names: the next load_demo
    # makes the variants, and the file with the old name is gone.
    for photo in photos:
        old_name = default_storage.save("petitions/photos/original/Amal-Haddad.jpg", photo.image)
        Photo.objects.filter(pk=photo.pk).update(image=old_name, width=0, height=0, variants={})
    call_command("load_demo")
    mended = list(petition.photos.all())
    assert all(sorted(photo.variants, key=int) == ["480", "960", "1600"] for photo in mended)
    assert all(default_storage.exists(name) for p in mended for name in stored_names(p))
    assert all((p.width, p.height) == (1600, 1000) for p in mended)
    assert not [
        name for name in default_storage.listdir("petitions/photos/original")[1] if "Amal" in name
    ]
    html = client.get("/ar/petitions/truth-for-syrias-disappeared/").content.decode()
    assert 'srcset=""' not in html and 'width="0"' not in html and 'width="1600"' in html
