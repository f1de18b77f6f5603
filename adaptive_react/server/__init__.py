"""The LangServe app: the graphs behind ``add_routes``, with auth, limits and persistence.

``adaptive-react serve`` runs :func:`create_app` under uvicorn. Needs the ``serve`` extra.
"""

from .app import GRAPHS, ServerSettings, create_app

__all__ = ["GRAPHS", "ServerSettings", "create_app"]
