"""English short dates with the month's name ("1 Dec 2026", "1 Dec 2026, 17:05")."""

SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
