"""Import briefs from plain-text exports of the old site (``manage.py import_briefs``).

``parser`` turns a file into dataclasses (no database), ``loader`` plans and writes them with the
ORM, ``run`` ties both together for the command and for tests.
"""
