"""French short dates with the month's name ("1 déc 2026", "1 déc 2026, 17:05")."""

SHORT_DATE_FORMAT = "j b Y"
SHORT_DATETIME_FORMAT = "j b Y, H:i"
