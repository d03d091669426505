"""The staff queue's rows as HTML, written in Python: fifty rows of about 170 template nodes each were most of
the queue page's own time once its queries were done (bench/staff_queue.py: the view took about 30 ms more
than its selector at 200,000 reports, 25 of them rendering the rows). The template keeps the page around them;
each row's texts come prepared by the view (staff_views._queue_rows_display), and every one is escaped here.
"""

from django.template.defaultfilters import linebreaksbr
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from complaints.templatetags.icons import icon


def queue_rows_html(rows: list) -> SafeString:
    """The <tr> of each queue row: select box, report (case number, tracking code, marks, day, election,
    categories), terlapor, region, status, deadline, evidence and assignee."""
    t_select = escape(_("select"))
    new_answer = f' <span class="badge text-bg-danger new-answer">{escape(_("new answer"))}</span>'
    unverified = f' <span class="badge text-bg-light border bot-unverified">{escape(_("not verified by the bot check"))}</span>'
    spam = f' <span class="badge text-bg-warning bot-spam">{escape(_("likely spam (hidden field filled)"))}</span>'
    late = f' · <span class="badge text-bg-warning">{escape(_("late"))}</span>'
    overdue = f' <span class="badge text-bg-danger">{escape(_("overdue"))}</span>'
    flag = icon("flag-fill", "text-danger")
    out = []
    for r in rows:
        number = escape(r.case_number or r.tracking_code)
        marks = (
            f' <span class="small text-body-secondary">{escape(r.tracking_code)}</span>'
            if r.case_number
            else ""
        )
        if r.new_answer_at:
            marks += new_answer
        marks += unverified if r.bot_check == 1 else spam if r.bot_check == 2 else ""
        day = f"{escape(r.created_day)} · {escape(r.election.name)}"
        day += (late if r.late else "") + (f" · {flag} {r.priority}" if r.priority else "")
        due = f"{escape(r.due_day)}{overdue if r.overdue else ''}" if r.due_on else "—"
        kinds = "".join(
            f'<span class="badge text-bg-light">{escape(kind)} {n}</span> ' for kind, n in r.evidence_kinds
        )
        assignee = escape(r.assigned_to.username) if r.assigned_to and r.assigned_to.username else "—"
        out.append(
            f'\n    <tr class="{"table-danger" if r.overdue else ""}" data-id="{r.pk}">\n'
            f'      <td><input type="checkbox" name="ids" value="{r.pk}" aria-label="{t_select}"></td>\n'
            f'      <td><a href="{escape(r.url)}" class="fw-semibold">{number}</a>{marks}\n'
            f'        <div class="small text-body-secondary">{day}</div>\n'
            f'        <div class="small">{escape(r.category_text)}</div></td>\n'
            f'      <td class="small">{linebreaksbr(r.accused_text, autoescape=True)}</td>\n'
            f'      <td class="small">{escape(r.incident_region.name) if r.incident_region else ""}</td>\n'
            f'      <td><span class="badge text-bg-secondary">{escape(r.status_label)}</span></td>\n'
            f'      <td class="small">{due}</td>\n'
            f'      <td class="small">{kinds or "—"}</td>\n'
            f'      <td class="small">{assignee}</td>\n    </tr>'
        )
    return mark_safe("".join(out))  # noqa: S308 (every text escaped above; numbers are the rows' own ints)
