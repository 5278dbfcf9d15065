"""Timings of pmlib's slow paths, run as ``python -m benchmarks NAME``; each module here is one benchmark."""
