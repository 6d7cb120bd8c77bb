"""Pages of a rep in their notice period: a refused list shows why where the list would be
(403), a refused record past the daily limit says so (429); the API answers the same
exceptions itself (crm.api.errors)."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from handover.notice import NoticePeriodLimited, NoticeReadLimitReached


class NoticePeriodMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NoticePeriodLimited):
            status, title = 403, exception.what
        elif isinstance(exception, NoticeReadLimitReached):
            status, title = 429, _("Daily limit reached")
        else:
            return None
        context = {"message": str(exception), "title": title, "show_worklist": True}
        partial = getattr(request, "htmx", False)
        template = "handover/_notice_limited.html" if partial else "handover/notice_limited.html"
        return render(request, template, context, status=status)
