"""adbib: a bibliographic database of anomaly-detection papers built from curated lists."""

__version__ = "0.1.0"
