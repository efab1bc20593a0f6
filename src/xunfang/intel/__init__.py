"""Intelligence: incident ingestion, risk forecasts per place and slot, honest evaluation.

``ingest`` turns any incident table into a checked, projected, columnar table (Parquet store);
``units`` lays the places a forecast ranks (cells, grids, polygons, street segments);
``methods`` holds the forecasting methods (``naive``, ``decay``, ``kde``, ``prospective``,
``etas``, ``network_kde``, ``gbm``, ``auto``); ``evaluate`` scores them by rolling-origin
forecasts (hit rate, PAI, PEI, log-likelihood, bootstrap intervals); ``forecast`` produces the
risk per unit × slot of a planning horizon.
"""

from xunfang.intel.evaluate import COVERAGES, Evaluation, EvaluationError, MethodScore, evaluate
from xunfang.intel.forecast import Forecast, forecast, week_hour_profile
from xunfang.intel.ingest import (
    IncidentTable,
    Ingested,
    IngestError,
    IngestReport,
    ingest,
    parse_columns,
    read_parquet,
    write_parquet,
)
from xunfang.intel.methods import (
    METHODS,
    EventSet,
    History,
    Method,
    MethodError,
    Model,
    make_method,
    method_names,
)
from xunfang.intel.sources import Source, jurisdiction_of, open_incidents
from xunfang.intel.units import Slots, Units, UnitsError

__all__ = [
    "COVERAGES",
    "METHODS",
    "Evaluation",
    "EvaluationError",
    "EventSet",
    "Forecast",
    "History",
    "IncidentTable",
    "IngestError",
    "IngestReport",
    "Ingested",
    "Method",
    "MethodError",
    "MethodScore",
    "Model",
    "Slots",
    "Source",
    "Units",
    "UnitsError",
    "evaluate",
    "forecast",
    "ingest",
    "jurisdiction_of",
    "make_method",
    "method_names",
    "open_incidents",
    "parse_columns",
    "read_parquet",
    "week_hour_profile",
    "write_parquet",
]
