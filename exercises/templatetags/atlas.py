from django import template

from exercises.markdown import render_markdown
from exercises.seo import absolute_url as site_absolute_url

register = template.Library()


@register.filter
def markdown(text):
    return render_markdown(text)


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    """path on this site as an absolute URL (exercises.seo.absolute_url)."""
    return site_absolute_url(context["request"], path)
