"""The performance data journey: return workbooks out to service units, returns read back and ingested, data quality."""
