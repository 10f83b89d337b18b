"""Who may do what with an entry: one answer for the pages, the API and the services alike."""
from __future__ import annotations

from streets.roles import officer_of

from .models import KnowledgeEntry


def may_edit(user, entry: KnowledgeEntry) -> bool:
    """Officers of the owning unit write drafts; supervisors may too (they keep the base whole)."""
    officer = officer_of(user)
    if officer is None:
        return False
    return officer.is_supervisor or officer.unit_id == entry.owner_id


def may_publish(user, entry: KnowledgeEntry) -> bool:
    """Only the head of the owning unit (or a supervisor) publishes what the unit's officers wrote."""
    officer = officer_of(user)
    if officer is None:
        return False
    return officer.is_supervisor or (officer.unit_id == entry.owner_id and officer.is_head)


def may_manage(user) -> bool:
    """A unit's officer (not an operator) sees the knowledge pages of the console."""
    officer = officer_of(user)
    return officer is not None and not officer.is_operator
