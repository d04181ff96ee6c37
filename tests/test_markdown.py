import pytest

from undersigned.pages.markdown import render_markdown


def test_markdown_renders_headings_lists_and_links():
    html = render_markdown("## Facts\n\n- one\n- two\n\n[read](https://example.org/)")
    assert "<h2>Facts</h2>" in html
    assert "<li>one</li>" in html
    assert '<a href="https://example.org/" rel="noopener noreferrer nofollow">read</a>' in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="#" onclick="alert(1)">x</a>',
        "<iframe src='https://evil.example'></iframe>",
        '<p style="background:url(https://evil.example/x.png)">x</p>',
    ],
)
def test_markdown_removes_scripts_handlers_and_unsafe_links(hostile):
    html = render_markdown(hostile)
    for forbidden in ("<script", "onerror", "onclick", "javascript:", "<iframe", "style=", "<img"):
        assert forbidden not in html
