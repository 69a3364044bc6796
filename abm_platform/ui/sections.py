from django.views.generic import TemplateView

from abm_platform.tenancy.views import WorkspaceView


class SectionIndexView(WorkspaceView, TemplateView):
    """The landing page of a section that has nothing to show yet: says what the section is
    for and how to fill it, instead of an empty table."""

    template_name = "abm_platform/section_empty.html"
    title = ""
    description = ""
    empty_title = ""
    empty_text = ""
    icon = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=self.title, description=self.description, empty_title=self.empty_title,
                       empty_text=self.empty_text, icon=self.icon)
        return context
