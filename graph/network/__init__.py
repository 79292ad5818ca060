"""Networkx graphs from saved-query rows, and their pictures."""
