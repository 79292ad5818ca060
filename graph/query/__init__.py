"""Saved-query catalogue (.rq headers), parameters as SPARQL terms, results and their formats."""
