"""Mechanisms every app shares, below all of them.

Nothing here imports a peerlearn app (import-linter keeps it so): the one
table shape apps hand out (``tabular``), the one reader of uploaded CSV/XLSX
files (``spreadsheets``) and writer of downloads (``writing``), bulk inserts
(``bulk``), absolute URLs for e-mails (``urls_abs``) and files beside a
data package's tables (``files``).
"""
