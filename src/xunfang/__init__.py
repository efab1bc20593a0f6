"""xunfang (巡防): plan, run and measure police street patrol and prevention work.

The core computes over typed values (``scenario``, ``network``, ``planning``, ``plan``);
the faces (``cli``, ``report``) present. Import the submodule you need::

    from xunfang import scenario, network
    sc = scenario.load("ebian")
    net = network.RoadNetwork.from_scenario(sc)
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("xunfang")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
