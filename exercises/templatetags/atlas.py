from django import template

from exercises.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    return render_markdown(text)
