"""greenplan: a knowledge graph of Chinese government policy plans.

The installed import package ``greenplan`` is this folder (``graph/``);
``greenplan.loaders`` is ``loaders/``.  Data folders (``ontology/``,
``queries/``, ``shapes/``, ``data/``) install as ``greenplan.ontology`` …
package data.  See :mod:`greenplan.api` for the library functions a notebook
user calls.
"""
__version__ = "0.1.0"
