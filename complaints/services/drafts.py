"""Drafts of the step-by-step report form: create, save a step, keep and remove files, resume by code, send,
expire. A draft holds identity data: it is opened only by its resume code (kept as a keyed hash) and nothing
of its content is ever logged."""

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone, translation

from complaints.models import ReportDraft
from complaints.services import intake
from evidence import location as evidence_location
from evidence import resumable
from evidence import services as evidence_services
from evidence.models import ResumableUpload, StagedUpload

STEPS = ["about", "accused", "incident", "evidence"]


def _keyed_hash(text: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"draft:{text}".encode(), hashlib.sha256).hexdigest()


def draft_code_new() -> str:
    # 144 random bits, URL-safe: guessing a live draft's code is out of reach.
    return secrets.token_urlsafe(18)


def _expiry(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(days=settings.POSKO_DRAFT_DAYS)


def draft_create(*, language: str = "id") -> tuple[ReportDraft, str]:
    """A new, empty draft and its resume code (the only time the code is known in clear)."""
    code = draft_code_new()
    now = timezone.now()
    draft = ReportDraft(code_hash=_keyed_hash(code), language=language[:8], expires_at=_expiry(now))
    draft.full_clean(validate_unique=False)
    draft.save(force_insert=True)
    return draft, code


def draft_get(code: str) -> ReportDraft | None:
    """The live draft this code opens (the device's code or the e-mailed one), or None."""
    if not code or len(code) > 64:
        return None
    digest = _keyed_hash(code)
    draft = (
        ReportDraft.objects.filter(expires_at__gt=timezone.now()).filter(code_hash=digest).first()
        or ReportDraft.objects.filter(expires_at__gt=timezone.now(), email_code_hash=digest).first()
    )
    return draft


def draft_save_step(*, draft: ReportDraft, step: str, values: dict[str, list[str]], valid: bool) -> None:
    """Keep what the reporter posted on one step (even with errors, so nothing typed is lost) and whether
    it passed that step's validation; every save pushes the expiry back."""
    if step not in STEPS:
        raise ValueError(step)
    # PostgreSQL's JSON cannot hold a NUL character: it is dropped from what is kept, while the step's form
    # still judges (and refuses) what was posted (issue 9 item 7: a 400 with the reason, never a 500).
    draft.data[step] = {
        key.replace("\x00", ""): [str(v).replace("\x00", "") for v in items] for key, items in values.items()
    }
    done = [s for s in draft.done if s != step]
    if valid:
        done.append(step)
    draft.done = sorted(done, key=STEPS.index)
    draft.updated_at = timezone.now()
    draft.expires_at = _expiry(draft.updated_at)
    draft.save(update_fields=["data", "done", "updated_at", "expires_at"])


def draft_uploads(draft: ReportDraft) -> list[StagedUpload]:
    return list(StagedUpload.objects.filter(draft=draft).order_by("created_at", "id"))


def draft_stage_file(*, draft: ReportDraft, upload, caption: str = "") -> StagedUpload:
    """Keep a file the reporter uploaded in the evidence step (once: it is never sent again), noting where a
    photo or video says it was taken."""
    found = evidence_location.location_find(upload)
    return evidence_services.staged_upload_create(upload=upload, caption=caption, draft=draft, location=found)


def draft_remove_file(*, draft: ReportDraft, staged_id) -> bool:
    """Remove one kept file of this draft (and its stored bytes). False when the draft has no such file."""
    staged = StagedUpload.objects.filter(draft=draft, pk=staged_id).first()
    if staged is None:
        return False
    name, storage = staged.file.name, staged.file.storage
    # The finished tus upload that made it goes too, so a browser resuming it does not find it complete.
    ResumableUpload.objects.filter(staged=staged).delete()
    staged.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
    return True


def draft_confirm_location(*, draft: ReportDraft, staged_id) -> bool:
    """The reporter chose to send a file with the place it records."""
    return bool(
        StagedUpload.objects.filter(draft=draft, pk=staged_id, location__isnull=False).update(
            location_confirmed=True
        )
    )


def draft_set_captions(*, draft: ReportDraft, captions: dict[str, str]) -> None:
    """Captions the reporter typed for kept files; a file whose caption was not posted keeps its own."""
    for staged in draft_uploads(draft):
        if str(staged.pk) not in captions:
            continue
        caption = (captions[str(staged.pk)] or "")[:300]
        if caption != staged.caption:
            staged.caption = caption
            staged.save(update_fields=["caption"])


def draft_form_data(draft: ReportDraft) -> QueryDict:
    """Everything the draft holds, as the one form the API also feeds (complaints.forms.ReportSubmission):
    the steps' values and the kept files as staged uploads."""
    data = QueryDict(mutable=True)
    for step in STEPS:
        for key, values in (draft.data.get(step) or {}).items():
            data.setlist(key, list(values))
    uploads = draft_uploads(draft)
    for index, staged in enumerate(uploads):
        data[f"evidence-{index}-staged"] = str(staged.pk)
        data[f"evidence-{index}-caption"] = staged.caption
    data["evidence-TOTAL_FORMS"] = str(len(uploads))
    data["evidence-INITIAL_FORMS"] = "0"
    data.setdefault("links-TOTAL_FORMS", "0")
    data.setdefault("links-INITIAL_FORMS", "0")
    data.setdefault("accused-INITIAL_FORMS", "0")
    return data


class DraftGone(Exception):
    """The draft was sent (or removed) by another request first."""


def draft_submit(*, draft: ReportDraft, submission, language: str, bot_check=None) -> intake.Receipt:
    """File the report from a draft whose data validated as one submission, and remove the draft. The draft
    row is locked first, so two presses of "send" (or two tabs) file one report: the second finds no draft.
    `bot_check` is the door's verdict (services/botcheck.py)."""
    with transaction.atomic():
        if not ReportDraft.objects.select_for_update().filter(pk=draft.pk).exists():
            raise DraftGone
        receipt = intake.report_submit(
            data=submission.form.cleaned_data,
            accused=submission.accused_items(),
            files=submission.evidence_items(),
            links=submission.link_items(),
            language=language,
            bot_check=bot_check,
        )
        draft_delete(draft)
    return receipt


def draft_delete(draft: ReportDraft) -> None:
    """Remove a draft with every file it kept and every upload still arriving for it."""
    names = []
    for staged in StagedUpload.objects.filter(draft=draft):
        if staged.file.name:
            names.append((staged.file.storage, staged.file.name))
    for upload in ResumableUpload.objects.filter(draft=draft):
        names.extend(resumable.upload_parts(upload))
    draft.delete()

    def _remove():
        for storage, name in names:
            storage.delete(name)

    transaction.on_commit(_remove)


def draft_cleanup(*, now: dt.datetime | None = None) -> int:
    """Remove expired drafts (POSKO_DRAFT_DAYS after their last save) and their files. Returns how many."""
    removed = 0
    for draft in ReportDraft.objects.filter(expires_at__lte=now or timezone.now()).iterator():
        with transaction.atomic():
            draft_delete(draft)
        removed += 1
    return removed


def draft_email_wanted(*, draft: ReportDraft, email: str) -> bool:
    """Whether the resume link should be e-mailed: an address was given and the link was not yet sent there."""
    return bool(email) and draft.emailed_to_hash != _keyed_hash(email.strip().lower())


def draft_resume_email(*, draft_id, base_url: str) -> bool:
    """E-mail the resume link to the address the draft holds. The link carries a code made here (only its
    hash is kept), so no secret passes through the task queue. False when there is nothing to send."""
    draft = ReportDraft.objects.filter(pk=draft_id, expires_at__gt=timezone.now()).first()
    if draft is None:
        return False
    about = draft.data.get("about") or {}
    email = ((about.get("reporter_email") or [""])[0] or "").strip()
    anonymous = (about.get("anonymous") or [""])[0] == "true"
    if not email or anonymous or not draft_email_wanted(draft=draft, email=email):
        return False
    code = draft_code_new()
    draft.email_code_hash = _keyed_hash(code)
    draft.emailed_to_hash = _keyed_hash(email.lower())
    draft.save(update_fields=["email_code_hash", "emailed_to_hash"])
    from complaints.report_views import resume_path

    link = base_url.rstrip("/") + resume_path(code)
    context = {"link": link, "days": settings.POSKO_DRAFT_DAYS, "expires": draft.expires_at}
    with translation.override(draft.language or "id"):
        subject = render_to_string("emails/draft_resume_subject.txt", context).strip()
        body = render_to_string("emails/draft_resume.txt", context)
        html = render_to_string("emails/draft_resume.html", context)
    send_mail(subject, body, None, [email], html_message=html)
    return True
