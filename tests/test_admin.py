"""Editors create and edit briefs through the admin; bad input is a form error, never a 500."""

import pytest
from django.urls import reverse

from briefs.models import Brief
from issues.models import Issue
from tests.factories import (
    BriefFactory,
    BriefTypeFactory,
    ExpertFactory,
    IssueFactory,
    SuperUserFactory,
)

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:briefs_brief_add")


@pytest.fixture
def editor_client(client):
    client.force_login(SuperUserFactory(username="editor"))
    return client


def inline_management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def brief_post(**overrides):
    """A complete add-form POST: two quotes, three related links (one of each kind), two issues."""
    flash = BriefTypeFactory(name="Flash Brief")
    bowman, daum = ExpertFactory(name="Bradley Bowman"), ExpertFactory(name="Mike Daum")
    iran, syria = IssueFactory(name="Iran"), IssueFactory(name="Syria")
    older = BriefFactory(title="Pentagon: Deadly Attack on U.S. Soldiers Facilitated by Iran")
    data = {
        "title": "Iran-Backed Iraqi Militias Resume Attacks on U.S. Forces",
        "slug": "iran-backed-iraqi-militias-resume-attacks",
        "type": flash.pk,
        "summary": "Two attacks in 24 hours end a pause of more than two months.",
        "authors": [bowman.pk],
        "issues": [iran.pk, syria.pk],
        "developments": "<p>U.S. forces shot down two drones.</p>",
        "body": "<h2>Deterring Attacks</h2><p>Between October and February...</p>",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "expires_at_0": "",
        "expires_at_1": "",
        **inline_management("quotes", 2),
        "quotes-0-expert": bowman.pk,
        "quotes-0-text": "The White House should learn from that experience.",
        "quotes-0-expert_title": "",
        "quotes-0-order": "1",
        "quotes-1-expert": daum.pk,
        "quotes-1-text": "Washington must not back down.",
        "quotes-1-expert_title": "FDD Research Analyst",
        "quotes-1-order": "2",
        **inline_management("related_links", 3),
        "related_links-0-target_brief": older.pk,
        "related_links-0-order": "1",
        "related_links-1-url": "https://example.org/weakness",
        "related_links-1-title": "The consequences of US weakness in Iraq and Syria",
        "related_links-1-byline": "by Bradley Bowman and Cameron McMillan",
        "related_links-1-order": "2",
        "related_links-2-title": "American Forces Under Attack By Iran and its Proxies",
        "related_links-2-byline": "by Mike Daum and Bradley Bowman",
        "related_links-2-order": "3",
    }
    data.update(overrides)
    return data


def errors_of(response):
    """Every error the admin form shows: the brief's own and its inlines'."""
    errors = dict(response.context["adminform"].form.errors)
    for formset in response.context["inline_admin_formsets"]:
        for i, form_errors in enumerate(formset.formset.errors):
            for field, messages in form_errors.items():
                errors[f"{formset.formset.prefix}-{i}-{field}"] = messages
        if formset.formset.non_form_errors():
            errors[f"{formset.formset.prefix}"] = formset.formset.non_form_errors()
    return errors


def test_add_page_renders_ckeditor_and_autocomplete(editor_client):
    response = editor_client.get(ADD_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "django_ckeditor_5/dist/bundle.js" in html
    assert 'data-ajax--url="/admin/autocomplete/"' in html
    assert 'name="issues"' in html


def test_create_brief_with_quotes_links_and_issues(editor_client):
    response = editor_client.post(ADD_URL, brief_post())
    assert response.status_code == 302, errors_of(response)
    brief = Brief.objects.get(slug="iran-backed-iraqi-militias-resume-attacks")
    assert [q.expert.name for q in brief.quotes.all()] == ["Bradley Bowman", "Mike Daum"]
    assert [link.kind for link in brief.related_links.all()] == ["brief", "external", "citation"]
    assert sorted(i.name for i in brief.issues.all()) == ["Iran", "Syria"]
    assert [a.name for a in brief.authors.all()] == ["Bradley Bowman"]


def test_xss_posted_through_admin_is_gone_from_the_database(editor_client):
    payload = '<p onmouseover="alert(1)">Fine text<script>alert("x")</script></p><a href="javascript:evil()">x</a>'
    response = editor_client.post(ADD_URL, brief_post(developments=payload, body=payload))
    assert response.status_code == 302, errors_of(response)
    stored = Brief.objects.values("developments", "body").get(slug="iran-backed-iraqi-militias-resume-attacks")
    for html in stored.values():
        assert "Fine text" in html
        assert "<script" not in html and "onmouseover" not in html and "javascript:" not in html


def test_edit_brief_through_admin(editor_client):
    editor_client.post(ADD_URL, brief_post())
    brief = Brief.objects.get(slug="iran-backed-iraqi-militias-resume-attacks")
    url = reverse("admin:briefs_brief_change", args=[brief.pk])
    assert editor_client.get(url).status_code == 200
    quotes, links = list(brief.quotes.all()), list(brief.related_links.all())
    data = brief_post(title="Militias Resume Attacks", issues=[Issue.objects.get(name="Iran").pk])
    data.update(inline_management("quotes", 2, initial=2))
    data.update(inline_management("related_links", 3, initial=3))
    for i, quote in enumerate(quotes):
        data[f"quotes-{i}-id"] = quote.pk
        data[f"quotes-{i}-brief"] = brief.pk
    for i, link in enumerate(links):
        data[f"related_links-{i}-id"] = link.pk
        data[f"related_links-{i}-brief"] = brief.pk
    data["quotes-1-DELETE"] = "on"
    response = editor_client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    brief.refresh_from_db()
    assert brief.title == "Militias Resume Attacks"
    assert [i.name for i in brief.issues.all()] == ["Iran"]
    assert brief.quotes.count() == 1


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"title": "x" * 256}, "title"),
        (
            {"related_links-0-url": "https://example.org/both", "related_links-0-title": "Both"},
            "related_links-0-__all__",
        ),
        ({"related_links-0-target_brief": ""}, "related_links-0-__all__"),
        ({"quotes-0-expert": ""}, "quotes-0-expert"),
        ({"issues": ["999999"]}, "issues"),
        (
            {
                "published_at_0": "2025-03-10",
                "published_at_1": "12:00:00",
                "expires_at_0": "2025-03-09",
                "expires_at_1": "12:00:00",
            },
            "expires_at",
        ),
    ],
    ids=["long-title", "link-two-targets", "link-no-target", "quote-no-expert", "unknown-issue", "expiry"],
)
def test_bad_input_is_a_form_error(editor_client, overrides, field):
    response = editor_client.post(ADD_URL, brief_post(**overrides))
    assert response.status_code == 200
    assert field in errors_of(response)
    assert not Brief.objects.filter(slug="iran-backed-iraqi-militias-resume-attacks").exists()


def test_duplicate_slug_is_a_form_error(editor_client):
    data = brief_post()
    BriefFactory(slug=data["slug"])
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "slug" in errors_of(response)


def test_contributors_cannot_invent_issues_by_typing(editor_client):
    response = editor_client.post(ADD_URL, brief_post(issues=["Brand new issue"]))
    assert response.status_code == 200
    assert "issues" in errors_of(response)
    assert not Issue.objects.filter(name="Brand new issue").exists()


def test_issue_autocomplete_answers_for_brief_form(editor_client):
    IssueFactory(name="Iran"), IssueFactory(name="Syria")
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"term": "ir", "app_label": "briefs", "model_name": "brief", "field_name": "issues"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Iran"]


def test_issue_made_its_own_ancestor_is_a_form_error(editor_client):
    iran = IssueFactory(name="Iran")
    child = IssueFactory(name="Iran Global Threat Network", parent=iran)
    url = reverse("admin:issues_issue_change", args=[iran.pk])
    response = editor_client.post(
        url, {"name": "Iran", "slug": iran.slug, "parent": child.pk, "description": "", "sort_order": 0}
    )
    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    iran.refresh_from_db()
    assert iran.parent is None


def test_issue_list_reads_as_a_tree(editor_client):
    iran = IssueFactory(name="Iran", sort_order=1)
    IssueFactory(name="Syria", sort_order=2)
    IssueFactory(name="Iran Global Threat Network", parent=iran)
    response = editor_client.get(reverse("admin:issues_issue_changelist"))
    html = response.content.decode()
    assert html.index(">Iran<") < html.index("— Iran Global Threat Network") < html.index(">Syria<")


def test_expert_list_shows_thumbnails(editor_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    gif = (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
        b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )
    ExpertFactory(name="Bradley Bowman", photo=SimpleUploadedFile("bowman.gif", gif, content_type="image/gif"))
    html = editor_client.get(reverse("admin:experts_expert_changelist")).content.decode()
    assert 'class="expert-thumb"' in html and "bowman" in html


@pytest.mark.parametrize("name", ["briefs_brief", "briefs_brieftype", "experts_expert", "issues_issue"])
def test_every_admin_page_answers(editor_client, name):
    assert editor_client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    assert editor_client.get(reverse(f"admin:{name}_add")).status_code == 200


BOGUS_IDS = ["abc", "99999999999999999999"]


@pytest.mark.parametrize("bogus", BOGUS_IDS)
@pytest.mark.parametrize(
    "field", ["authors", "issues", "quotes-0-expert", "related_links-0-target_brief"], ids=lambda f: f
)
def test_bogus_ids_in_brief_autocompletes_are_form_errors(editor_client, field, bogus):
    """A tampered POST (an id that is not a number, or past 64 bits) re-displays the form with an error."""
    value = [bogus] if field in ("authors", "issues") else bogus
    response = editor_client.post(ADD_URL, brief_post(**{field: value}))
    assert response.status_code == 200
    assert field in errors_of(response)
    assert not Brief.objects.filter(slug="iran-backed-iraqi-militias-resume-attacks").exists()


@pytest.mark.parametrize("bogus", BOGUS_IDS)
def test_bogus_ids_in_issue_and_expert_autocompletes_are_form_errors(editor_client, bogus):
    response = editor_client.post(
        reverse("admin:issues_issue_add"), {"name": "Syria", "slug": "syria", "sort_order": 0, "parent": bogus}
    )
    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    response = editor_client.post(
        reverse("admin:experts_expert_add"), {"name": "A", "slug": "a", "issues": [bogus], "is_active": "on"}
    )
    assert response.status_code == 200
    assert "issues" in response.context["adminform"].form.errors


def test_ckeditor_output_survives_save_and_reload(editor_client):
    """What the editor's toolbar makes (headings, emphasis, links, lists, blockquote, a table in its
    <figure class="table">) comes back into the editor unchanged after saving."""
    from tests.test_richtext import CKEDITOR_OUTPUT

    html = "".join(CKEDITOR_OUTPUT)
    response = editor_client.post(ADD_URL, brief_post(body=html))
    assert response.status_code == 302, errors_of(response)
    brief = Brief.objects.get(slug="iran-backed-iraqi-militias-resume-attacks")
    assert brief.body == html
    form = editor_client.get(reverse("admin:briefs_brief_change", args=[brief.pk])).context["adminform"].form
    assert form["body"].value() == html


def test_new_inline_rows_left_at_zero_keep_the_order_shown(editor_client):
    data = brief_post()
    for key in [k for k in data if k.endswith("-order")]:
        data[key] = "0"
    data["quotes-0-order"] = "5"
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 302, errors_of(response)
    brief = Brief.objects.get(slug="iran-backed-iraqi-militias-resume-attacks")
    assert [(q.order, q.expert.name) for q in brief.quotes.all()] == [(5, "Bradley Bowman"), (6, "Mike Daum")]
    assert [(link.order, link.kind) for link in brief.related_links.all()] == [
        (1, "brief"),
        (2, "external"),
        (3, "citation"),
    ]


def test_issue_name_differing_only_in_capitals_is_a_form_error(editor_client):
    IssueFactory(name="Iran", slug="iran")
    response = editor_client.post(
        reverse("admin:issues_issue_add"), {"name": "IRAN", "slug": "iran-2", "description": "", "sort_order": 0}
    )
    assert response.status_code == 200
    assert "already exists (ignoring capitals)" in response.content.decode()
    assert Issue.objects.count() == 1


@pytest.mark.parametrize(
    "model, data, field",
    [
        ("briefs_brieftype", {"name": "Analysis", "slug": "flash-brief", "sort_order": 0}, "slug"),
        ("experts_expert", {"name": "Someone Else", "slug": "bradley-bowman", "is_active": "on"}, "slug"),
        ("issues_issue", {"name": "Persia", "slug": "iran", "sort_order": 0}, "slug"),
    ],
)
def test_duplicate_slugs_of_types_experts_and_issues_are_form_errors(editor_client, model, data, field):
    BriefTypeFactory(name="Flash Brief"), ExpertFactory(name="Bradley Bowman", slug="bradley-bowman")
    IssueFactory(name="Iran", slug="iran")
    response = editor_client.post(reverse(f"admin:{model}_add"), data)
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors


ODD_TEXT = {
    "empty": "",
    "unicode": "Ünïcödé — “quotes” ‘x’ 漢字 🙂",
    "long": "x" * 5000,
    "html": '<script>alert(1)</script><b onmouseover="x">b</b>',
    "nul": "a\x00b",
}


@pytest.mark.parametrize("kind", list(ODD_TEXT))
@pytest.mark.parametrize(
    "model, fields",
    [
        ("briefs_brieftype", ["name", "slug", "description"]),
        ("experts_expert", ["name", "slug", "title", "program", "bio"]),
        ("issues_issue", ["name", "slug", "description"]),
    ],
)
def test_odd_text_in_every_plain_admin_form_is_saved_clean_or_a_form_error(editor_client, model, fields, kind):
    data = dict.fromkeys(fields, ODD_TEXT[kind]) | {"sort_order": "0", "is_active": "on"}
    response = editor_client.post(reverse(f"admin:{model}_add"), data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["adminform"].form.errors


@pytest.mark.parametrize("kind", list(ODD_TEXT))
@pytest.mark.parametrize(
    "field", ["title", "slug", "summary", "body", "quotes-0-text", "related_links-1-url", "related_links-1-byline"]
)
def test_odd_text_in_the_brief_form_is_saved_clean_or_a_form_error(editor_client, field, kind):
    response = editor_client.post(ADD_URL, brief_post(**{field: ODD_TEXT[kind]}))
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert errors_of(response)
    for brief in Brief.objects.all():
        assert "<script" not in brief.body and "\x00" not in brief.title


def test_every_publishing_field_has_help_text_on_the_change_form(editor_client):
    brief = BriefFactory(status=Brief.Status.DRAFT, published_at=None)
    html = editor_client.get(reverse("admin:briefs_brief_change", args=[brief.pk])).content.decode()
    for field in ("status", "published_at", "expires_at", "corrected_at"):
        help_text = str(Brief._meta.get_field(field).help_text)
        assert help_text and help_text.split(":")[0].split(";")[0] in html, field


def test_editor_image_uploads_store_nothing(editor_client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    gif = SimpleUploadedFile("x.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", content_type="image/gif")
    response = editor_client.post(reverse("ck_editor_5_upload_file"), {"upload": gif})
    assert response.status_code == 403
    assert "Images are not part of briefs" in response.json()["error"]["message"]
    assert list(tmp_path.rglob("*")) == []


def test_an_expiry_in_the_past_is_a_form_error(editor_client):
    response = editor_client.post(ADD_URL, brief_post(expires_at_0="2020-01-01", expires_at_1="12:00:00"))
    assert response.status_code == 200
    assert "use Withdraw" in str(errors_of(response)["expires_at"])
