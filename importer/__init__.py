"""Import briefs from plain-text exports of the old site (``manage.py import_briefs``).

``parser`` turns a file into dataclasses with line numbers (no database), ``issues`` splits the
run-together "Issues:" line against the taxonomy, ``loader`` plans (reads only) and then writes with
the ORM, ``run`` ties them together for the command and for tests.
"""
