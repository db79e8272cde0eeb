"""PLACEHOLDER: replaced by the helper that owns this module."""

from django.http import Http404


def instruments(request, *args, **kwargs):
    raise Http404


def instrument_import(request, *args, **kwargs):
    raise Http404


def instrument_install(request, *args, **kwargs):
    raise Http404


def instrument(request, *args, **kwargs):
    raise Http404


def instrument_settings(request, *args, **kwargs):
    raise Http404


def instrument_export(request, *args, **kwargs):
    raise Http404
