"""REST API under /api/ (BRIEF §5)."""
