"""What a council hands in: the data contract's tables, their loading and checks, periods, ``council.yml`` and params files.

Everything here reads files and reports problems as data (``pmlib.errors.Problem``);
nothing here judges a measure or lays anything out.
"""
