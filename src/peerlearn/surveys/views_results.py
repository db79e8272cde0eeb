"""PLACEHOLDER: replaced by the helper that owns this module."""

from django.http import Http404


def results(request, *args, **kwargs):
    raise Http404


def compare(request, *args, **kwargs):
    raise Http404


def export(request, *args, **kwargs):
    raise Http404


def codebook(request, *args, **kwargs):
    raise Http404
