"""Pages for CSV imports: upload, preview with row errors, commit, progress, templates."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from crm import imports
from crm.forms import ImportUploadForm
from crm.models import ImportJob

RECENT_JOBS = 20
ERRORS_SHOWN = 1000
LIST_URLS = {
    ImportJob.Kind.CUSTOMERS: "crm:customer-list",
    ImportJob.Kind.CONTACTS: "crm:customer-list",
    ImportJob.Kind.DEALS: "crm:deal-list",
}


def _job_for(request, pk: int) -> ImportJob:
    """Another user's job is 404, never 403: it does not exist for them."""
    return get_object_or_404(imports.import_jobs_visible_to(user=request.user), pk=pk)


@login_required
def import_start(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = imports.import_create(
                kind=form.cleaned_data["kind"],
                file_name=upload.name,
                data=upload.read(),
                by=request.user,
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
        else:
            if job.errors:
                messages.warning(
                    request,
                    _("Some rows have errors: nothing will be imported until they are fixed."),
                )
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s row checked and ready to import. Review them below.",
                        "%(count)s rows checked and ready to import. Review them below.",
                        job.total_rows,
                    )
                    % {"count": job.total_rows},
                )
            return redirect("crm:import-detail", pk=job.pk)
    jobs = imports.import_jobs_visible_to(user=request.user)[:RECENT_JOBS]
    return render(
        request,
        "crm/imports/start.html",
        {
            "form": form,
            "jobs": jobs,
            "kinds": ImportJob.Kind.choices,
            "columns": imports.COLUMNS,
            "required": imports.REQUIRED,
        },
    )


@login_required
@require_GET
def import_template(request, kind: str):
    if kind not in ImportJob.Kind.values:
        raise Http404(_("No such import kind."))
    response = HttpResponse(imports.import_template_csv(kind=kind), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{kind}_template.csv"'
    return response


@login_required
@require_GET
def import_detail(request, pk: int):
    job = _job_for(request, pk)
    errors = job.errors or []
    context = {
        "job": job,
        "errors": errors[:ERRORS_SHOWN],
        "errors_hidden": max(len(errors) - ERRORS_SHOWN, 0),
        "bad_rows": len({e["row"] for e in errors if e.get("row")}),
        "columns": imports.COLUMNS[job.kind],
        "preview": imports.import_preview(job=job)
        if job.status == ImportJob.Status.PREVIEWED and not errors
        else [],
        "progress": imports.import_progress(job=job),
        "can_commit": job.status == ImportJob.Status.PREVIEWED
        and not errors
        and not job.raw_deleted_at
        and job.created_by_id == request.user.pk,
        "retention_days": settings.CRM_IMPORT_RAW_RETENTION_DAYS,
        "list_url": reverse(LIST_URLS[job.kind]) if _has_url(LIST_URLS[job.kind]) else "",
    }
    return render(request, "crm/imports/detail.html", context)


def _has_url(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


@login_required
@require_POST
def import_commit(request, pk: int):
    job = _job_for(request, pk)
    if job.created_by_id != request.user.pk:
        raise PermissionDenied(_("Only the person who uploaded the file can import it."))
    try:
        job = imports.import_start_commit(job=job, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("crm:import-detail", pk=job.pk)
    if job.status == ImportJob.Status.DONE:
        done = {
            ImportJob.Kind.CUSTOMERS: _("Imported %(count)s customers."),
            ImportJob.Kind.CONTACTS: _("Imported %(count)s contacts."),
            ImportJob.Kind.DEALS: _("Imported %(count)s deals."),
        }[job.kind]
        messages.success(request, done % {"count": job.imported_rows})
    elif job.status == ImportJob.Status.FAILED:
        messages.error(
            request, _("The import failed and nothing was imported. See the errors below.")
        )
    else:
        messages.info(
            request, _("Importing %(count)s rows in the background.") % {"count": job.total_rows}
        )
    return redirect("crm:import-detail", pk=job.pk)


@login_required
@require_GET
def import_progress(request, pk: int):
    """The htmx partial the detail page polls every second; a finished job reloads the page
    once so it shows the final result (counts or the row errors)."""
    job = _job_for(request, pk)
    response = render(
        request,
        "crm/imports/_progress.html",
        {"job": job, "progress": imports.import_progress(job=job)},
    )
    if request.htmx and job.is_finished:
        response["HX-Refresh"] = "true"
    return response


urlpatterns = [
    path("import/", import_start, name="import-start"),
    path("import/template/<str:kind>.csv", import_template, name="import-template"),
    path("import/<int:pk>/", import_detail, name="import-detail"),
    path("import/<int:pk>/commit/", import_commit, name="import-commit"),
    path("import/<int:pk>/progress/", import_progress, name="import-progress"),
]
