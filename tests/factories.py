import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from briefs.models import Brief, BriefType, ExpertQuote, RelatedLink
from experts.models import Expert
from issues.models import Issue


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("pw-for-tests-only")


class SuperUserFactory(UserFactory):
    is_staff = True
    is_superuser = True


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issue
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Issue {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class BriefTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BriefType
        django_get_or_create = ["slug"]

    name = "Flash Brief"
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class ExpertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expert

    name = factory.Faker("name")
    slug = factory.Sequence(lambda n: f"expert-{n}")
    title = "Senior Fellow"
    program = "Center on Military and Political Power"
    bio = "<p>Writes about deterrence.</p>"


class BriefFactory(factory.django.DjangoModelFactory):
    """A live brief by default (published an hour ago); pass status/published_at to change it."""

    class Meta:
        model = Brief
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Brief number {n}")
    slug = factory.Sequence(lambda n: f"brief-number-{n}")
    type = factory.SubFactory(BriefTypeFactory)
    summary = "A short summary for cards and feeds."
    developments = "<p>Something happened.</p>"
    body = "<h2>Background</h2><p>Some context.</p>"
    status = Brief.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))

    @factory.post_generation
    def issues(self, create, extracted, **kwargs):
        if create and extracted:
            self.issues.set(extracted)

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if create and extracted:
            self.authors.set(extracted)


class ExpertQuoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpertQuote

    brief = factory.SubFactory(BriefFactory)
    expert = factory.SubFactory(ExpertFactory)
    text = "Deterrence works when it is credible."
    order = factory.Sequence(lambda n: n)


class RelatedLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RelatedLink

    brief = factory.SubFactory(BriefFactory)
    title = "An outside report"
    url = "https://example.org/report"
    byline = "by A. Writer"
    order = factory.Sequence(lambda n: n)


def _join(group_name):
    """A post-generation hook adding the user to a group made by the workflow data migration."""

    def join(user, create, extracted, **kwargs):
        if create:
            from django.contrib.auth.models import Group

            user.groups.add(Group.objects.get(name=group_name))

    return factory.PostGeneration(join)


class ContributorFactory(UserFactory):
    is_staff = True
    join_group = _join("Contributors")

    class Meta:
        skip_postgeneration_save = True


class EditorFactory(UserFactory):
    is_staff = True
    join_group = _join("Editors")

    class Meta:
        skip_postgeneration_save = True
