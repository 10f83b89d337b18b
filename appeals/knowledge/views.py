"""The knowledge-base pages: public (browse, search, read, rate) and the units' console (their
entries, drafts, publishing, import and export). Thin: rules in rules.py, writes in services.py."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.throttling import rate_limited
from streets.models import Unit
from streets.roles import officer_of

from . import io, rules, selectors, services
from .forms import EntryForm, ImportForm
from .models import KnowledgeEntry, KnowledgeVersion, Topic
from .search import suggest
from .throttles import KnowledgeSearchThrottle

MAX_IMPORT_BYTES = 10 * 1024 * 1024


@require_GET
@rate_limited(KnowledgeSearchThrottle, methods=("GET",))
def index(request):
    """Topics, and search results when a question is asked (?q=)."""
    question = request.GET.get("q", "")[:500].strip()
    results = suggest(question, limit=10) if question else []
    return render(request, "knowledge/index.html", {
        "topics": selectors.topics(), "question": question, "results": results,
    })


@require_GET
def topic(request, code: str):
    if code not in Topic.values:
        raise Http404
    entries = selectors.published().filter(topic=code).order_by("key")
    return render(request, "knowledge/topic.html", {"label": Topic(code).label, "entries": entries})


@require_GET
def entry(request, key: str, number: int | None = None):
    """An entry's published answer, or (/vN/) the version a resident was given, later edits aside."""
    version = selectors.entry_version(key, number)
    if version is None:
        raise Http404
    entry = version.entry
    current = entry.published_version_id == version.pk and entry.status == KnowledgeEntry.Status.PUBLISHED
    return render(request, "knowledge/entry.html", {"version": version, "entry": version.entry, "current": current})


@require_POST
@rate_limited(KnowledgeSearchThrottle)
def rate(request, key: str):
    """Helpful / not helpful on the version shown; once per browser session and version."""
    version = selectors.entry_version(key)
    if version is None:
        raise Http404
    if not request.session.session_key:
        request.session.save()
    counted = services.rate(version=version, helpful=request.POST.get("helpful") == "yes",
                            session_key=request.session.session_key)
    messages.success(request, _("Thank you for your rating.") if counted else _("You have rated this answer already."))
    return redirect("knowledge:entry", key=key)


# ---- the units' console -------------------------------------------------------------------------

def _staff(request, *, entry_page: bool = False):
    """The signed-in unit officer or supervisor; others get 403 on a list, 404 on one entry's page
    (an entry that is not theirs, like another unit's, is simply not there for them)."""
    if not rules.may_manage(request.user):
        raise Http404 if entry_page else PermissionDenied
    return officer_of(request.user)


@login_required
@require_GET
def manage(request):
    """A unit's entries with their flags (past review, drafts waiting, often dispatched anyway);
    supervisors see every unit's, and the staleness per unit."""
    officer = _staff(request)
    unit = None if officer.is_supervisor else officer.unit
    staleness = []
    if officer.is_supervisor:
        counts = selectors.staleness_by_unit()
        staleness = sorted(((unit, counts[unit.pk]) for unit in Unit.objects.filter(pk__in=counts)),
                           key=lambda pair: (-pair[1], pair[0].code))
    return render(request, "knowledge/manage.html", {
        "officer": officer, "entries": selectors.entries_for_unit(unit), "staleness": staleness,
        "today": timezone.localdate(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, key: str | None = None):
    """A new draft version of an entry (or a new entry) from the unit's officer."""
    officer = _staff(request, entry_page=key is not None)
    entry = get_object_or_404(KnowledgeEntry, key=key) if key else None
    if entry is not None and not rules.may_edit(request.user, entry):
        raise Http404  # another unit's entry is not there for this officer
    latest = entry.versions.order_by("-number").first() if entry else None
    form = EntryForm(request.POST or None, initial=EntryForm.initial_for(entry, latest) if entry else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if entry is None:
                entry = services.create_entry(
                    key=data["key"], owner=officer.unit, content=form.content(), topic=data["topic"],
                    category=data["category"], place=data["place"], actor=request.user)
            else:
                services.save_draft(entry=entry, content=form.content(), actor=request.user, note=data["note"],
                                    topic=data["topic"], category=data["category"], place=data["place"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Draft saved. The head of the unit publishes it."))
            return redirect("knowledge:manage-entry", key=entry.key)
    versions = entry.versions.select_related("author", "published_by") if entry else []
    return render(request, "knowledge/edit.html", {
        "form": form, "entry": entry, "versions": versions,
        "may_publish": entry is not None and rules.may_publish(request.user, entry),
    }, status=400 if form.is_bound and form.errors else 200)


@login_required
@require_POST
def publish(request, key: str, number: int):
    _staff(request, entry_page=True)
    version = get_object_or_404(KnowledgeVersion, entry__key=key, number=number)
    if not rules.may_publish(request.user, version.entry):
        raise Http404  # only the owning unit's head (or a supervisor) acts on it
    try:
        services.publish(version=version, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Version %(n)d is published.") % {"n": number})
    return redirect("knowledge:manage-entry", key=key)


@login_required
@require_POST
def propose(request, number: str):
    """A unit's answer to a consultation, offered as a draft entry of the unit for its head."""
    officer = _staff(request, entry_page=True)
    answer = selectors.unit_answer(number, officer.unit)
    if answer is None:
        raise Http404  # not a consultation this officer's unit answered
    try:
        entry = services.propose_entry(appeal=answer.appeal, owner=officer.unit, question="", answer=answer.note,
                                       actor=request.user)
    except ValidationError:
        messages.error(request, _("This answer has been proposed already."))
        return redirect("knowledge:manage")
    messages.success(request, _("Draft entry written from the answer: complete it; the head of the unit publishes it."))
    return redirect("knowledge:manage-entry", key=entry.key)


@login_required
@require_http_methods(["GET", "POST"])
def import_entries(request):
    """Supervisors import a file: a dry run first (the plan and the bad rows), then apply."""
    officer = _staff(request)
    if not officer.is_supervisor:
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            form.add_error("file", _("At most 10 MB."))
        else:
            try:
                rows = io.read_rows(upload.read(), upload.name)
            except io.ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                plan = io.apply_import(rows, dry_run=not form.cleaned_data["apply"], actor=request.user)
    return render(request, "knowledge/import.html", {"form": form, "plan": plan},
                  status=400 if form.errors or (plan and plan.errors) else 200)


@login_required
@require_GET
def export_entries(request, fmt: str):
    officer = _staff(request)
    entries = KnowledgeEntry.objects.filter(status=KnowledgeEntry.Status.PUBLISHED)
    if not officer.is_supervisor:
        entries = entries.filter(owner=officer.unit)
    body = io.write(io.export_rows(entries), fmt)
    content_type = {"csv": "text/csv; charset=utf-8", "jsonl": "application/jsonl; charset=utf-8",
                    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}[fmt]
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="knowledge-{timezone.localdate():%Y%m%d}.{fmt}"'
    return response


