"""The manager's team activity feed: everything the team logged, newest first, filtered by
rep, kind and date range, paginated with a fixed number of queries (count, page, choices)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from activities.filters import ActivityFeedFilter
from activities.selectors import feed_activities_for
from crm.web import int_param, querystring

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@login_required
def feed(request: HttpRequest) -> HttpResponse:
    """Managers see their team's activities, admins everyone's; reps have "My week"."""
    if request.user.is_rep:
        raise PermissionDenied(_("The team feed is for managers and admins."))
    filterset = ActivityFeedFilter(
        request.GET, queryset=feed_activities_for(user=request.user), request=request
    )
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page_size = int_param(request, "page_size", default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE)
    page = Paginator(rows, page_size).get_page(request.GET.get("page"))
    context = {"filter": filterset, "page": page, "querystring": querystring(request)}
    template = "activities/feed/_table.html" if request.htmx else "activities/feed/feed.html"
    return render(request, template, context)


urlpatterns = [path("feed/", feed, name="feed")]
