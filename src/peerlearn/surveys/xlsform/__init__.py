"""XLSForm in and out, without Django.

Public API
----------
- :func:`read_xlsform` (bytes or path) -> :class:`Instrument`, raising
  :class:`XLSFormInvalid` whose ``problems`` are :class:`FormProblem` items;
- :func:`write_xlsform` (:class:`Instrument`) -> .xlsx bytes;
- :func:`evaluate` for ``relevant``/``constraint`` expressions.
"""

from peerlearn.surveys.xlsform.expressions import ExpressionError, evaluate
from peerlearn.surveys.xlsform.model import (
    ANSWERABLE_TYPES,
    NO_LANGUAGE,
    Choice,
    ChoiceList,
    Group,
    Instrument,
    Item,
    Question,
    from_dict,
    to_dict,
)
from peerlearn.surveys.xlsform.problems import FormProblem, XLSFormInvalid
from peerlearn.surveys.xlsform.reader import read_xlsform
from peerlearn.surveys.xlsform.writer import write_xlsform

__all__ = [
    "ANSWERABLE_TYPES",
    "NO_LANGUAGE",
    "Choice",
    "ChoiceList",
    "ExpressionError",
    "FormProblem",
    "Group",
    "Instrument",
    "Item",
    "Question",
    "XLSFormInvalid",
    "evaluate",
    "from_dict",
    "read_xlsform",
    "to_dict",
    "write_xlsform",
]
