"""Progress of groups: check-ins, common problems and working groups, training demand,
group products and their reviews by peers of other groups (docs/progress.md)."""
