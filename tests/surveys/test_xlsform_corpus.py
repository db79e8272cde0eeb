"""The corpus target of issue 10, over 49 real forms from pyxform's own tests.

Every form pyxform converts either is accepted by peerlearn with the same
number of answerable questions as pyxform's JSON, or is refused with a first
problem naming the real cause, listed here form by form (loops, media,
external choices, types peerlearn cannot ask, a form's own mistake).
``benchmarks/xlsform_corpus.py`` prints the whole table.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "xlsform_corpus", ROOT / "benchmarks" / "xlsform_corpus.py"
)
assert _spec is not None and _spec.loader is not None
corpus = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = corpus  # its dataclasses look themselves up there
_spec.loader.exec_module(corpus)

#: Forms pyxform converts that use what peerlearn does not support, and what
#: the first line of the refusal must name.
REFUSED = {
    "attribute_columns_test.xlsx": "type 'acknowledge' is not supported",
    "repeat_date_test.xlsx": "column 'image': images, audio and video are not supported",
    "xlsform_spec_test.xlsx": "type 'acknowledge' is not supported",
    "loop.xlsx": "loops are not supported",
    "simple_loop.xlsx": "loops are not supported",
    "bug_UCL_Biomass_Plot_Form.xlsx": "'select_one_from_file UCL_regions.csv': choices from a file",
    "case_insensitivity.xlsx": "ODK entities are not supported",  # and select_one_external
    "choice_name_as_type.xlsx": "type 'select_one_external type': choices from a file or external",
    "default_time_demo.xlsx": "type 'time' is not supported",
    "widgets.xlsx": "type 'time' is not supported",
    "flat_xlsform_test.xlsx": "type 'acknowledge' is not supported",
    "gps.xlsx": "type 'gps' is not supported",
    "hidden.xlsx": "type 'hidden' is not supported",
    "sms_info.xlsx": "type 'image' is not supported",
    "table-list.xlsx": "column 'image': images, audio and video are not supported",
    "xml_escaping.xlsx": "column 'image': images, audio and video are not supported",
    "pull_data.xlsx": "pulldata() reads external CSV files",
    # The forms' own mistakes, which pyxform does not check (ODK Validate does):
    "bad_calc.xlsx": "is never closed",  # "because pyxform doesn't know what to do"
    "bug_bad_calc.xlsx": "is never closed",
    "or_other.xlsx": "'yes' is not a column of the choices sheet",  # pastel=yes, not 'yes'
}


def test_corpus_forms_are_accepted_like_pyxform_or_refused_for_their_real_cause() -> None:
    rows = corpus.measure()
    assert len(rows) >= 40
    converted = [r for r in rows if r.pyxform_ok]
    wrong = []
    for row in converted:
        if row.form in REFUSED:
            if row.peerlearn_ok or REFUSED[row.form] not in row.cause:
                wrong.append((row.form, row.cause))
        elif not row.peerlearn_ok or row.peerlearn_questions != row.pyxform_questions:
            wrong.append((row.form, row.pyxform_questions, row.peerlearn_questions, row.cause))
    assert wrong == []
    accepted = [r for r in converted if r.peerlearn_ok]
    assert len(accepted) == len(converted) - len(REFUSED) == 23  # tutorial.xlsx: a repeat
