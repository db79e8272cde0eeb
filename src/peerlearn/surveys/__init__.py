"""Surveys and monitoring, evaluation and learning (MEL) instruments.

The :mod:`peerlearn.surveys.xlsform` package reads and writes instruments as
XLSForm workbooks without needing Django; :mod:`peerlearn.surveys.cli` adds the
``peerlearn survey`` commands and :mod:`peerlearn.surveys.instruments` ships the
built-in instruments.
"""
