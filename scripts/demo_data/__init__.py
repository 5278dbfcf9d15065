"""Tables and helpers behind scripts/make_demo_data.py (the demo council's data folder)."""
