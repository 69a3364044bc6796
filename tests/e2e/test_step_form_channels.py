"""The play editor's step form in headless Chromium shows only the fields of the chosen channel:
a template and the audience for an e-mail, the task and who does it for a sales task, the
audience and the platform for an ad audience, only the channel settings for a webhook. A template
picked before switching to a webhook is not saved with it. Screenshots:
test-artifacts/screenshots/campaigns-step-form-*.png."""
import pytest
from playwright.sync_api import expect

from campaigns.models import Step
from tests.factories import CampaignFactory, ContentTemplateFactory, PlayFactory, StepFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARTS = {   # what the marketer sees, by the form's labels
    "template": lambda form: form.get_by_label("Template"),
    "task": lambda form: form.get_by_label("Task", exact=True),
    "assignee": lambda form: form.get_by_label("Assign to"),
    "audience": lambda form: form.locator("fieldset.audience"),
    "settings": lambda form: form.get_by_label("Channel settings (JSON)"),
    "account note": lambda form: form.get_by_text("This channel reaches the account, not a person"),
}


@pytest.fixture
def play(workspace, members):
    campaign = CampaignFactory(workspace=workspace, owner=members["marketing"], name="Warehouse automation")
    play = PlayFactory(workspace=workspace, campaign=campaign, name="Decision makers first")
    template = ContentTemplateFactory(workspace=workspace, name="Warehouse intro")
    StepFactory(workspace=workspace, play=play, order=1, template=template)
    return play


def _visible(form) -> set[str]:
    return {name for name, part in PARTS.items() if part(form).is_visible()}


def test_the_step_form_shows_only_the_chosen_channels_fields(as_person, live_url, members, play, shot, workspace):
    page = as_person(members["marketing"].email)
    page.goto(live_url(f"/campaigns/plays/{play.pk}/"))
    form = page.locator("#add-step form")
    channel = form.get_by_label("Channel", exact=True)
    expect(channel).to_have_value("email")
    expect(PARTS["task"](form)).to_be_hidden()           # the script ran: the e-mail's fields only
    assert _visible(form) == {"template", "audience"}
    template_label = form.locator("[data-setting=template] label")
    expect(template_label).to_have_text("Template", use_inner_text=True)   # an e-mail needs one

    channel.select_option("sales_task")
    expect(PARTS["task"](form)).to_be_visible()
    assert _visible(form) == {"task", "assignee", "audience"}
    form.get_by_label("Task", exact=True).select_option("linkedin")
    shot(page, "campaigns-step-form-sales-task")

    channel.select_option("ad_audience")
    expect(PARTS["settings"](form)).to_be_visible()
    assert _visible(form) == {"audience", "settings"}
    expect(form.locator(".config-hint:visible")).to_have_text('e.g. {"platform": "linkedin"} or {"platform": "google"}')

    channel.select_option("direct_mail")
    assert _visible(form) == {"template", "audience"}
    expect(template_label).to_have_text("Template (optional)", use_inner_text=True)   # a letter may go without

    # Pick a template for an e-mail, then change the mind: a webhook has no template.
    channel.select_option("email")
    form.get_by_label("Template").select_option(label="Warehouse intro")
    channel.select_option("webhook")
    expect(PARTS["account note"](form)).to_be_visible()
    assert _visible(form) == {"settings", "account note"}
    form.get_by_label("Channel settings (JSON)").fill('{"event": "play.step"}')
    shot(page, "campaigns-step-form-webhook")
    form.get_by_role("button", name="Add step").click()

    expect(page.locator("#steps ol.steps > li[data-step]")).to_have_count(2)
    expect(page.locator("#steps li[data-step='2']")).to_contain_text("Webhook")
    step = Step.objects.for_workspace(workspace).get(play=play, order=2)
    assert (step.channel, step.template_id, step.config, step.audience_filter) == (
        "webhook", None, {"event": "play.step"}, {})
    # The fresh form htmx swapped in is sorted out again: back to an e-mail's fields.
    fresh = page.locator("#add-step form")
    expect(PARTS["task"](fresh)).to_be_hidden()
    assert _visible(fresh) == {"template", "audience"}
