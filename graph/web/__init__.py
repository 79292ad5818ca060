"""The web layer of ``greenplan serve``: SPARQL protocol details, the query worker, HTML pages.

Only :mod:`greenplan.web.server` imports this package; nothing on the ``greenplan query`` path does.
"""
