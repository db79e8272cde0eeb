"""peerlearn: peer-learning programmes for public-sector officials."""

__version__ = "0.1.0"
