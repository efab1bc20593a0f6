"""The one travel-time engine (巡防 network): roads per mode and hour, and its queries.

Call sites read ``xunfang.network.travel_times(net, sources, mode="car", hour=8)``. Times are
minutes, distances metres, speeds km/h. Importers of road files live in
``xunfang.network.imports`` (optional dependencies), imported on demand.
"""

from xunfang.network.engine import (
    Components,
    Nearest,
    RoadNetwork,
    Snap,
    components,
    edge_minutes,
    index_of,
    isochrones,
    nearest,
    point_times,
    shortest_path,
    snap,
    times_to,
    travel_times,
)

__all__ = [
    "Components",
    "Nearest",
    "RoadNetwork",
    "Snap",
    "components",
    "edge_minutes",
    "index_of",
    "isochrones",
    "nearest",
    "point_times",
    "shortest_path",
    "snap",
    "times_to",
    "travel_times",
]
