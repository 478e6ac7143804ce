"""``{% editors_desk %}``: the desk on the admin index (briefs.admin.desk), for the signed-in user."""

from django import template

from ..admin import desk

register = template.Library()


@register.inclusion_tag("admin/briefs/includes/desk.html", takes_context=True)
def editors_desk(context):
    request = context["request"]
    return {"sections": desk.sections(user=request.user)}
