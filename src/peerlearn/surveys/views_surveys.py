"""PLACEHOLDER: replaced by the helper that owns this module."""

from django.http import Http404


def surveys(request, *args, **kwargs):
    raise Http404


def survey_new(request, *args, **kwargs):
    raise Http404


def survey(request, *args, **kwargs):
    raise Http404


def survey_edit(request, *args, **kwargs):
    raise Http404


def survey_send(request, *args, **kwargs):
    raise Http404


def survey_control(request, *args, **kwargs):
    raise Http404


def survey_cancel(request, *args, **kwargs):
    raise Http404
