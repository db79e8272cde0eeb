"""Outcome harvesting: outcome stories, substantiation, share-forward reach (docs/harvest.md)."""
