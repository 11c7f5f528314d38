"""The worker: the loop that runs scheduled work.

For now that is the analytics refresh: `patron analyze` whenever the last completed run is
older than ``analytics_refresh_hours`` (patron.toml; 0 turns it off). Journeys and dispatch
will run here too.

>>> from patron.worker import refresh_due  # doctest: +SKIP
"""

from patron.worker.schedule import WorkerTick, refresh_due, run_forever, tick

__all__ = ["WorkerTick", "refresh_due", "run_forever", "tick"]
