"""feedletter: Markdown posts → Atom, RSS and JSON feeds and a monthly email digest."""

__version__ = "0.1.0"
