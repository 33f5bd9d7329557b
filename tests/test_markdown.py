import pytest

from exercises.markdown import render_markdown

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    '<a href="&#106;avascript:alert(1)">click</a>',
    "![pixel](data:image/svg+xml;base64,PHN2Zz4=)",
    "[data](data:text/html;base64,PHNjcmlwdD4=)",
    '<iframe src="https://example.com"></iframe>',
    '<p style="background:url(javascript:alert(1))">text</p>',
    "<svg onload=alert(1)></svg>",
    '<a href="https://example.com" onclick="alert(1)">x</a>',
    "<style>body{display:none}</style>text",
    '<object data="x.swf"></object>',
    '<form action="https://evil.example"><input name="q"></form>',
]


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_comes_out_inert(source):
    html = render_markdown(source).lower()
    for danger in [
        "<script", "onerror", "onload", "onclick", "javascript:", "data:",
        "<iframe", "style=", "<style", "<svg", "<object", "<form", "<input",
    ]:  # fmt: skip
        assert danger not in html


def test_a_link_whose_unsafe_href_is_removed_keeps_no_rel():
    # rel without href is invalid HTML.
    assert render_markdown("[x](javascript:alert(1))") == "<p><a>x</a></p>"


def test_an_image_whose_unsafe_src_is_removed_is_dropped():
    assert "<img" not in render_markdown("![x](javascript:alert(1))")


def test_tables_lists_emphasis_and_links_survive():
    html = render_markdown(
        "*em* **strong**\n\n- one\n- two\n\n1. first\n\n"
        "| Muscle | Role |\n|---|---|\n| Glutes | Target |\n\n"
        '[ExRx](https://exrx.net "Exercise Prescription")'
    )
    assert "<em>em</em>" in html
    assert "<strong>strong</strong>" in html
    assert "<ul>" in html and "<li>one</li>" in html
    assert "<ol>" in html
    assert "<table>" in html and "<td>Glutes</td>" in html
    assert '<a href="https://exrx.net" title="Exercise Prescription">ExRx</a>' in html


def test_headings_start_below_the_page_title():
    assert render_markdown("# Setup") == "<h2>Setup</h2>"


def test_empty_input_renders_nothing():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


def test_images_from_this_site_are_kept_and_others_dropped():
    html = render_markdown(
        "![ours](/media/uploads/a.png) ![theirs](https://tracker.example/p.gif) "
        "![sneaky](//tracker.example/p.gif) ![slash](/\\tracker.example/p.gif) "
        "![tab](/&#9;/tracker.example/p.gif)"
    )
    assert '<img alt="ours" src="/media/uploads/a.png">' in html
    assert "tracker.example" not in html
    assert html.count("<img") == 1
