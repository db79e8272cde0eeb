"""PLACEHOLDER: replaced by the helper that owns this module."""

from django.http import Http404


def answer(request, *args, **kwargs):
    raise Http404


def answer_save(request, *args, **kwargs):
    raise Http404


def my_surveys(request, *args, **kwargs):
    raise Http404


def my_survey_open(request, *args, **kwargs):
    raise Http404
