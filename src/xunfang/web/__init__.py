"""The command centre's face on the web: API (FastAPI) and dashboard (Leaflet, plotly).

``create_app(centre)`` builds the application; ``builtin_centre()`` a centre on a scenario with
a plan made. ``xunfang serve`` runs both.
"""

from xunfang.web.app import create_app
from xunfang.web.centre import Centre, builtin_centre

__all__ = ["Centre", "builtin_centre", "create_app"]
