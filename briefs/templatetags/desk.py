"""``{% editors_desk %}``: the desk on the admin index (briefs.admin.desk), for the signed-in user."""

from django import template

register = template.Library()


@register.inclusion_tag("admin/briefs/includes/desk.html", takes_context=True)
def editors_desk(context):
    from ..admin import desk  # not at import time: template libraries load before the admin is set up

    request = context["request"]
    return {"sections": desk.sections(user=request.user)}
