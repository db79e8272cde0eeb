"""Each programme's roster: its people pages, roster files and the peer's own pages.

The network's records (organisations and people) belong to ``people``; this
app is what a programme does with them: list, add, edit (under the
stewardship rules of ``stewardship.py``), invite, give roles, and import or
export roster spreadsheets (read -> validate (dry-run preview) -> apply)::

    table = read_table(upload.read(), upload.name, max_bytes=limit)  # RosterFileError
    preview = validate_roster(
        table,
        known_organisations=names,
        known_cohorts=cohort_names,
        existing_emails=emails,
    )
    if preview.is_valid:
        ...  # apply_roster(preview, programme)

    write_roster_xlsx(roster_to_rows(preview.records))  # export

The format and the decisions behind it are documented in :mod:`.columns`
(columns and vocabularies), :mod:`peerlearn.people.lookups` (accepted
spellings), :mod:`.reading` (files, encodings, delimiters), :mod:`.validation`
(checks and normalisation) and :mod:`.writing` (exports and template; the
files themselves come from :mod:`peerlearn.core.writing`).

Its URLs keep the ``people`` namespace and its templates the ``people/``
folder: they are the programme's people pages.
"""
