"""The bridge between the Django models and the matching engine (one import for the views).

The work is split by what it does; this module only gathers their public
names, so that views, tasks and tests have one place to call:

* :mod:`peerlearn.matching.reading`: people and parameters for the engine,
  reading results, the hard-constraint checks (no writes);
* :mod:`peerlearn.matching.running`: running the engine (the task) and
  starting runs and re-runs;
* :mod:`peerlearn.matching.editing`: moves, swaps, group names, locks, re-pairs
  and requests;
* :mod:`peerlearn.matching.publishing`: publishing groups and pairs.
"""

from __future__ import annotations

from peerlearn.matching.editing import (
    decide_request,
    move_member,
    re_pair,
    rename_group,
    set_lock,
    set_pair_lock,
    swap_members,
)
from peerlearn.matching.outcome import Outcome
from peerlearn.matching.publishing import (
    PublishPreview,
    is_current_grouping,
    publish,
    publish_preview,
)
from peerlearn.matching.reading import (
    PAIR_MODES,
    challenge_texts,
    cohort_people,
    constraints_for,
    current_published,
    earlier_groups_of,
    group_problems,
    groups_of,
    history_pairs,
    mates,
    met_pairs,
    pair_people,
    pair_problems,
    pair_rows_for,
    placed_differently,
    to_engine,
    weights_of,
)
from peerlearn.matching.result import CRITERIA, RunParameters, RunResult
from peerlearn.matching.running import BOUND_MAX_PEOPLE, execute, rerun, start_run

__all__ = [
    "BOUND_MAX_PEOPLE",
    "CRITERIA",
    "PAIR_MODES",
    "Outcome",
    "PublishPreview",
    "RunParameters",
    "RunResult",
    "challenge_texts",
    "cohort_people",
    "constraints_for",
    "current_published",
    "decide_request",
    "earlier_groups_of",
    "execute",
    "group_problems",
    "groups_of",
    "history_pairs",
    "is_current_grouping",
    "mates",
    "met_pairs",
    "move_member",
    "pair_people",
    "pair_problems",
    "pair_rows_for",
    "placed_differently",
    "publish",
    "publish_preview",
    "re_pair",
    "rename_group",
    "rerun",
    "set_lock",
    "set_pair_lock",
    "start_run",
    "swap_members",
    "to_engine",
    "weights_of",
]
