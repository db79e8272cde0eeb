"""Date formats of the three languages: the short forms name the month.

Django's short formats are numeric (``m/d/Y`` in English, ``d/m/Y`` in
Spanish and French), so 12/01/2026 is the first of December to one reader
and the twelfth of January to another. Every page shows dates with the
month's name instead (``FORMAT_MODULE_PATH`` in settings; the long formats
are Django's own). Machine-readable dates (exports, form inputs, the API)
stay ISO 8601. ``tests/site/test_date_formats.py`` renders key pages in each
language and finds no numeric-only date.
"""
