"""A programme's theory of change: versioned map, evidence ties, status overrides."""
