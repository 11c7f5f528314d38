"""The analytical warehouse: a DuckDB file fed from the operational store through Arrow."""
