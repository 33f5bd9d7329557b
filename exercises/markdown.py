"""The one Markdown renderer: every public page and the admin preview use it."""

import re

import markdown
import nh3
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# The page title is the only h1: Markdown's "#" headings start at h2.
EXTENSIONS = ["tables", "sane_lists", "fenced_code", "toc"]
EXTENSION_CONFIGS = {"toc": {"baselevel": 2}}
# An image whose src was removed is invalid HTML; drop it.
SITE_PATH = re.compile(r"/[A-Za-z0-9._~!$&'()*+,;=:@%/?#-]*")
IMAGE_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


def site_images_only(tag, attribute, value):
    """Images come from this site (uploads): the policy allows no others, and
    an image from elsewhere would tell that site who reads the page."""
    if tag == "img" and attribute == "src":
        # Browsers read "\\" as "/" and drop tabs and newlines: "/\\host/x"
        # and "/\t/host/x" go to another host. Plain site paths only.
        is_site_path = SITE_PATH.fullmatch(value) and not value.startswith("//")
        return value if is_site_path else None
    return value


def render_markdown(text):
    """Render Markdown source to sanitized HTML, safe to put in a page."""
    html = markdown.markdown(
        text or "",
        extensions=EXTENSIONS,
        extension_configs=EXTENSION_CONFIGS,
        output_format="html",
    )
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        # nh3 would keep rel on a link whose unsafe href it removed, which is
        # invalid HTML; we allow no target attribute, so rel is not needed.
        link_rel=None,
        attribute_filter=site_images_only,
    )
    return mark_safe(IMAGE_WITHOUT_SRC.sub("", clean))
