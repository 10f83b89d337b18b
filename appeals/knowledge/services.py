"""Writes to the knowledge base. Each function is one transaction; content never changes in place:
an edit is a new version, publishing moves the entry's pointer and its search index."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from streets.i18n import localized_text

from .. import notes
from ..events import record_transition
from ..models import Appeal, AppealEvent
from ..services import SubmittedAppeal, submit_appeal
from . import index, rules, search
from .models import KnowledgeEntry, KnowledgeProposal, KnowledgeRating, KnowledgeUse, KnowledgeVersion

CONTENT_FIELDS = (
    "question_zh", "question_en", "phrasings_zh", "phrasings_en", "answer_zh", "answer_en", "policy",
    "valid_from", "valid_until", "review_due",
)
MAX_PHRASINGS = 30
KEEP = object()  # save_draft: leave this attribute of the entry as it is


def _render_answered(params: dict) -> str:
    question = localized_text(params.get("question_zh", ""), params.get("question_en", ""))
    return _("Answered at first contact from the knowledge base: “%(question)s” (entry %(key)s, version "
             "%(version)s)") % {"question": question, "key": params.get("key", ""), "version": params.get("version")}


notes.register("knowledge.answered", render=_render_answered)


@dataclass(frozen=True)
class Content:
    """What a version says; checked here for every way in (console form, import, proposal)."""

    question_zh: str
    answer_zh: str
    question_en: str = ""
    answer_en: str = ""
    phrasings_zh: tuple[str, ...] = ()
    phrasings_en: tuple[str, ...] = ()
    policy: str = ""
    valid_from: date | None = None
    valid_until: date | None = None
    review_due: date | None = None

    def check(self) -> None:
        errors: dict[str, list[str]] = {}
        if not self.question_zh.strip():
            errors["question_zh"] = [_("Give the question in Chinese.")]
        elif len(self.question_zh) > 200:
            errors["question_zh"] = [_("At most 200 characters.")]
        if len(self.question_en) > 300:
            errors["question_en"] = [_("At most 300 characters.")]
        if not self.answer_zh.strip():
            errors["answer_zh"] = [_("Give the answer in Chinese.")]
        if len(self.phrasings_zh) + len(self.phrasings_en) > MAX_PHRASINGS:
            errors["phrasings_zh"] = [_("At most %(n)d other phrasings.") % {"n": MAX_PHRASINGS}]
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = [_("Valid until must not be before valid from.")]
        if errors:
            raise ValidationError(errors)

    def fields(self) -> dict:
        values = {name: getattr(self, name) for name in CONTENT_FIELDS}
        values["phrasings_zh"] = [p.strip() for p in self.phrasings_zh if p.strip()]
        values["phrasings_en"] = [p.strip() for p in self.phrasings_en if p.strip()]
        return values

    @classmethod
    def of(cls, version: KnowledgeVersion) -> Content:
        values = {name: getattr(version, name) for name in CONTENT_FIELDS}
        values["phrasings_zh"] = tuple(values["phrasings_zh"])
        values["phrasings_en"] = tuple(values["phrasings_en"])
        return cls(**values)


def _allow(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Only the owning unit's officers may change this entry."))


@transaction.atomic
def create_entry(*, key: str, owner, content: Content, topic: str, category=None, place=None,
                 actor=None) -> KnowledgeEntry:
    """A new entry with its first version as a draft. `actor` None: the system (import, demo)."""
    content.check()
    entry = KnowledgeEntry(key=key, owner=owner, topic=topic, category=category, place=place)
    if actor is not None:
        _allow(rules.may_edit(actor, entry))
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as exc:
        raise ValidationError({"key": [_("An entry with this key exists.")]}) from exc
    KnowledgeVersion.objects.create(entry=entry, number=1, author=actor, **content.fields())
    return entry


@transaction.atomic
def save_draft(*, entry: KnowledgeEntry, content: Content, actor=None, note: str = "",
               topic=KEEP, category=KEEP, place=KEEP, owner=KEEP) -> KnowledgeVersion:
    """A new draft version (the entry's earlier versions stay as they were)."""
    if actor is not None:
        _allow(rules.may_edit(actor, entry))
    content.check()
    entry = KnowledgeEntry.objects.select_for_update().get(pk=entry.pk)
    changed = {name: value for name, value in
               (("topic", topic), ("category", category), ("place", place), ("owner", owner)) if value is not KEEP}
    for name, value in changed.items():
        setattr(entry, name, value)
    if changed:
        entry.save(update_fields=[*changed, "updated_at"])
    number = (entry.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return KnowledgeVersion.objects.create(entry=entry, number=number, author=actor, note=note[:200],
                                           **content.fields())


@transaction.atomic
def publish(*, version: KnowledgeVersion, actor=None) -> KnowledgeVersion:
    """Make a draft the entry's answer: the earlier published version is superseded (kept), the
    search index follows, the review date comes from the version."""
    entry = KnowledgeEntry.objects.select_for_update().get(pk=version.entry_id)
    if actor is not None and not rules.may_publish(actor, entry):
        raise PermissionDenied(_("Only the head of the owning unit publishes its entries."))
    version = KnowledgeVersion.objects.select_for_update().get(pk=version.pk)
    if version.state != KnowledgeVersion.State.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    now = timezone.now()
    entry.versions.filter(state=KnowledgeVersion.State.PUBLISHED).update(state=KnowledgeVersion.State.SUPERSEDED)
    # Older drafts are left behind by this one: they stay readable in the history as superseded.
    entry.versions.filter(state=KnowledgeVersion.State.DRAFT, number__lt=version.number).update(
        state=KnowledgeVersion.State.SUPERSEDED)
    KnowledgeVersion.objects.filter(pk=version.pk).update(
        state=KnowledgeVersion.State.PUBLISHED, published_by=actor, published_at=now)
    version.refresh_from_db()
    entry.status, entry.published_version, entry.review_due = (
        KnowledgeEntry.Status.PUBLISHED, version, version.review_due)
    entry.save(update_fields=["status", "published_version", "review_due", "updated_at"])
    index.reindex_entry(entry, version)
    search.forget_count()  # this process now (its own searches), every process within the minute
    transaction.on_commit(search.forget_count)
    return version


@transaction.atomic
def retire(*, entry: KnowledgeEntry, actor=None) -> None:
    """Take an entry out of search; its versions stay for the record."""
    entry = KnowledgeEntry.objects.select_for_update().get(pk=entry.pk)
    if actor is not None and not rules.may_publish(actor, entry):
        raise PermissionDenied(_("Only the head of the owning unit publishes its entries."))
    entry.status = KnowledgeEntry.Status.RETIRED
    entry.save(update_fields=["status", "updated_at"])
    index.reindex_entry(entry, None)
    search.forget_count()  # this process now (its own searches), every process within the minute
    transaction.on_commit(search.forget_count)


def published_version(version_id) -> KnowledgeVersion | None:
    """The version a resident or operator chose, if it is still an entry's published answer."""
    try:
        version_id = int(version_id)
    except (TypeError, ValueError):
        return None
    return (KnowledgeVersion.objects.select_related("entry", "entry__category")
            .filter(pk=version_id, state=KnowledgeVersion.State.PUBLISHED,
                    entry__status=KnowledgeEntry.Status.PUBLISHED).first())


def answer_at_first_contact(*, version: KnowledgeVersion, intake: dict, answered_by=None) -> SubmittedAppeal:
    """File the question as a consultation answered from `version`: it gets a tracking number and
    code like any appeal and is closed at once, never routed (routed_at is set in the same
    transaction, so the routing task and the sweep pass it by). `intake` is submit_appeal's
    keyword arguments; without a phone the consultation is filed anonymously (nobody calls back)."""
    entry = version.entry
    intake = {**intake, "kind": Appeal.Kind.CONSULTATION}
    if not intake.get("category_code") and entry.category_id:
        intake["category_code"] = entry.category.code
    if not intake.get("contact_phone"):
        intake.update(anonymous=True, contact_name="", contact_email="")
    with transaction.atomic():
        submitted = submit_appeal(**intake)
        if submitted.folded:
            return submitted
        appeal = submitted.appeal
        record_transition(
            appeal=appeal, kind=AppealEvent.Kind.KNOWLEDGE_ANSWERED, to_status=Appeal.Status.CLOSED,
            actor=answered_by, extra_fields={"routed_at": timezone.now()},
            data={"knowledge_entry": entry.key, "knowledge_version": version.number},
            message=notes.message("knowledge.answered", key=entry.key, version=version.number,
                                  question_zh=version.question_zh, question_en=version.question_en),
        )
        KnowledgeUse.objects.create(
            appeal=appeal, entry=entry, version=version, outcome=KnowledgeUse.Outcome.ANSWERED,
            channel=appeal.channel, answered_by=answered_by if getattr(answered_by, "is_authenticated", False)
            else None,
        )
        KnowledgeEntry.objects.filter(pk=entry.pk).update(resolved_count=F("resolved_count") + 1)
    return submitted


@transaction.atomic
def record_filed_anyway(*, appeal: Appeal, entry_ids: Iterable[int]) -> int:
    """The entries suggested for a question that was filed for a unit all the same: each counts
    toward "often leads to a dispatch anyway". Returns how many were recorded."""
    entries = list(KnowledgeEntry.objects.filter(
        pk__in=list(entry_ids)[:5], status=KnowledgeEntry.Status.PUBLISHED).select_related("published_version"))
    for entry in entries:
        KnowledgeUse.objects.create(appeal=appeal, entry=entry, version=entry.published_version,
                                    outcome=KnowledgeUse.Outcome.DISPATCHED, channel=appeal.channel)
    KnowledgeEntry.objects.filter(pk__in=[e.pk for e in entries]).update(dispatched_count=F("dispatched_count") + 1)
    return len(entries)


def rate(*, version: KnowledgeVersion, helpful: bool, session_key: str) -> bool:
    """A reader's rating, once per session and version (a second click changes nothing). True if counted."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                KnowledgeRating.objects.create(version=version, helpful=helpful, session_key=session_key[:64])
        except IntegrityError:
            return False
        counter = "helpful_count" if helpful else "unhelpful_count"
        KnowledgeEntry.objects.filter(pk=version.entry_id).update(**{counter: F(counter) + 1})
    return True


@transaction.atomic
def propose_entry(*, appeal: Appeal, owner, question: str, answer: str, actor=None) -> KnowledgeEntry:
    """A unit's answer to a consultation the base could not answer, as a draft entry for the
    owning unit's head to edit and publish."""
    question = (question or appeal.text).strip()[:200]
    entry = create_entry(
        key=f"proposal-{appeal.number}".lower(), owner=owner, topic="other",
        category=appeal.category, content=Content(question_zh=question, answer_zh=answer), actor=actor,
    )
    KnowledgeProposal.objects.create(appeal=appeal, entry=entry, proposed_by=actor)
    return entry
