"""Turning executed notebooks into what people read: the website and the Cabinet pack.

Two renderers read the same sources: Quarto, for councils that have it, and
a built-in one made of pip packages alone. ``sources`` is where both meet the
executed notebooks.
"""
