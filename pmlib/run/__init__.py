"""``pm run``: executing the parameterised notebooks per quarter and plan, and keeping reports whose inputs are unchanged.

It needs the contract (params files, data digests), never the views: the
notebooks themselves ask the views for what they show.
"""
