"""Demo data: a fictional peer-learning network used to try peerlearn end to end."""
