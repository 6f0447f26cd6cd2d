"""The rights service: what other domains call.

``issue_user_notice`` (TCO Art. 11, DSA Art. 17) and ``preserve`` (TCO Art. 6) are the entry points for the
notices and review engineers; complaints, reinstatement and the provider profile are re-exported here so that
callers import one module.
"""

from __future__ import annotations

from accord.rights.complaints import Complainant, decide_complaint, file_complaint, get_complaint, queue
from accord.rights.preservation import access, extend_hold, preserve, purge_expired
from accord.rights.profile import is_micro_small, set_micro_small
from accord.rights.reinstatement import reinstate
from accord.rights.user_notices import IssuedNotice, issue_user_notice, release_due

__all__ = [
    "Complainant",
    "IssuedNotice",
    "access",
    "decide_complaint",
    "extend_hold",
    "file_complaint",
    "get_complaint",
    "is_micro_small",
    "issue_user_notice",
    "preserve",
    "purge_expired",
    "queue",
    "reinstate",
    "release_due",
    "set_micro_small",
]
