"""Validation against published findings on online communities: ``sim validate``.

The criteria (``criteria.py``) were written and committed before any validation run;
they are not changed after seeing a result.
"""
