"""Task pages: the list (mine, or the team's for managers), create/edit, and "done with one
click" (an htmx POST that swaps the row). Thin: tasks_for_list decides what a user sees,
TaskFilter narrows it, the services write."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from activities import services
from activities.filters import TaskFilter
from activities.forms import TaskForm
from activities.models import Task
from activities.selectors import tasks_for_list
from crm.access_log import access_record
from crm.choices import AccessAction, AccessChannel
from crm.web import add_service_errors, querystring, render_page
from handover.notice import customer_read, notice_guard_list

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 200


def _visible_task(request: HttpRequest, pk: int) -> Task:
    """One task in scope, counted as opened (access log; the notice period's limit)."""
    task = get_object_or_404(tasks_for_list(user=request.user), pk=pk)
    customer_read(user=request.user, customer_id=task.customer_id, channel=AccessChannel.PAGE)
    return task


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    notice_guard_list(user=request.user, what="Tasks")
    filterset = TaskFilter(request.GET, queryset=tasks_for_list(user=request.user), request=request)
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    try:
        page_size = max(1, min(int(request.GET.get("page_size", DEFAULT_PAGE_SIZE)), MAX_PAGE_SIZE))
    except (TypeError, ValueError):
        page_size = DEFAULT_PAGE_SIZE
    page = Paginator(rows, page_size).get_page(request.GET.get("page"))
    access_record(
        user=request.user,
        customer_ids=[task.customer_id for task in page],
        channel=AccessChannel.PAGE,
        action=AccessAction.LIST,
    )
    context = {
        "filter": filterset,
        "page": page,
        "querystring": querystring(request),
        "can_filter_assignee": not request.user.is_rep,
        "mine": request.GET.get("assignee") == str(request.user.pk),
    }
    return render_page(
        request, "activities/tasks/list.html", "activities/tasks/_table.html", context
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest) -> HttpResponse:
    initial = {}
    for name in ("customer", "deal", "due_date", "title"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    form = TaskForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Task “%(title)s” created.") % {"title": task.title})
            return redirect(_next_url(request) or "activities:task-list")
    return render(request, "activities/tasks/form.html", {"form": form, "task": None})


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    # The form validates its own copy, so the service still sees the current assignee.
    form = TaskForm(request.POST or None, instance=_visible_task(request, pk), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_update(task=task, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            title = form.cleaned_data["title"]
            messages.success(request, _("Task “%(title)s” saved.") % {"title": title})
            return redirect(_next_url(request) or "activities:task-list")
    return render(request, "activities/tasks/form.html", {"form": form, "task": task})


def _next_url(request: HttpRequest) -> str:
    """Only local paths: never an open redirect."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else ""


def _toggle(request: HttpRequest, pk: int, *, done: bool) -> HttpResponse:
    task = _visible_task(request, pk)
    action = services.task_complete if done else services.task_reopen
    action(task=task, by=request.user)
    task = _visible_task(request, pk)
    if request.htmx:
        return render(request, "activities/tasks/_row.html", {"t": task})
    if done:
        messages.success(request, _("Task “%(title)s” done.") % {"title": task.title})
    else:
        messages.success(request, _("Task “%(title)s” reopened.") % {"title": task.title})
    return redirect(_next_url(request) or "activities:task-list")


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    return _toggle(request, pk, done=True)


@login_required
@require_POST
def task_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _toggle(request, pk, done=False)


urlpatterns = [
    path("tasks/", task_list, name="task-list"),
    path("tasks/new/", task_create, name="task-create"),
    path("tasks/<int:pk>/edit/", task_edit, name="task-edit"),
    path("tasks/<int:pk>/done/", task_done, name="task-done"),
    path("tasks/<int:pk>/reopen/", task_reopen, name="task-reopen"),
]
