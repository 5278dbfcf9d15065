"""What a notebook displays: the report objects, tables, charts, narrative, formats, disclosure and open data.

Notebooks ask these objects for everything and only lay it out; every word,
symbol and number shown to a reader is decided here, from the engine's results.
"""
