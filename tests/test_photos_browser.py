"""The gallery in a real browser on a phone, in both languages: each photo keeps its shape
before it loads (real integer sizes), the browser picks a small variant from the srcset, and
the gallery below the first screen is left to load lazily."""

import pytest

from undersigned.petitions.models import Photo

from .factories import make_petition
from .test_photos import upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IMAGES = "[...document.images].filter(i => i.src.includes('/photos/'))"


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_gallery_keeps_its_shape_and_loads_small_variants_lazily(live_server, page, language):
    petition = make_petition()
    for position in range(3):
        Photo.objects.create(
            petition=petition,
            position=position,
            image=upload(f"p{position}.jpg", colour=(40 * position, 60, 90)),
            alt_text=f"Photo {position}",
            translated_alt_text={"ar": f"صورة {position}"},
        )
    page.goto(f"{live_server.url}/{language}/petitions/free-the-detained/")
    page.wait_for_load_state("load")
    state = page.evaluate(f"{IMAGES}.map(i => [i.loading, i.clientWidth, i.clientHeight])")
    # The gallery is lazy (when Chromium starts loading it depends on its own distance rule);
    # every photo holds its 3:2 place in the layout whether or not it has loaded.
    assert [loading for loading, _w, _h in state] == ["auto", "lazy", "lazy"]
    assert all(abs(width / height - 1.5) < 0.02 for _loading, width, height in state), state
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    for _ in range(100):  # polled from the test: the page's CSP forbids evaluating strings
        if page.evaluate(f"{IMAGES}.every(i => i.complete && i.naturalWidth > 0)"):
            break
        page.wait_for_timeout(100)
    sources = page.evaluate(f"{IMAGES}.map(i => i.currentSrc)")
    assert all(source.endswith("-480w.jpg") for source in sources), sources  # 390 px phone
