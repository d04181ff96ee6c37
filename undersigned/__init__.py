"""Undersigned: petitions and sign-on letters for human-rights organisations."""
