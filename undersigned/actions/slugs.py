"""Slugs made from an action's title, so that a campaigner never has to type one.

An Arabic title is transliterated letter by letter (a readable Latin address such as
`awqifu-almadahimat` is better than the empty one `slugify` would give)."""

import re

from django.utils.text import slugify

ARABIC = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ب": "b", "ت": "t", "ث": "th",
    "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z", "س": "s",
    "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "a", "غ": "gh", "ف": "f",
    "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "و": "w", "ي": "y",
    "ى": "a", "ة": "a", "ء": "", "ؤ": "", "ئ": "", "پ": "p", "چ": "ch", "ڤ": "v",
    "گ": "g", "ک": "k", "ی": "y", "ـ": "",
}  # fmt: skip
ARABIC_DIGITS = {chr(0x0660 + n): str(n) for n in range(10)} | {
    chr(0x06F0 + n): str(n) for n in range(10)
}
# Short vowels, shadda and sukun are dropped; other Arabic marks too.
MARKS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")


def transliterate(text: str) -> str:
    text = MARKS.sub("", text)
    return "".join(ARABIC.get(char, ARABIC_DIGITS.get(char, char)) for char in text)


def slug_from_title(title: str, max_length: int = 80) -> str:
    slug = slugify(transliterate(title))[:max_length].strip("-")
    return slug or "action"


def unique_slug(title: str, model, max_length: int = 80, exclude_pk=None) -> str:
    """A slug from the title that no other row of `model` has (`-2`, `-3`… when taken)."""
    base = slug_from_title(title, max_length - 4)
    taken = set(
        model.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug
