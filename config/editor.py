"""CKEditor 5 in the admin (django-ckeditor-5's ``CKEDITOR_5_CONFIGS``, set in settings.py).

Its toolbar offers only what the sanitiser keeps (core.richtext.ALLOWED_TAGS), so editors never
lose formatting on save.
"""

CKEDITOR_5_CONFIGS = {
    "default": {
        "toolbar": {
            "items": [
                "heading",
                "|",
                "bold",
                "italic",
                "link",
                "|",
                "bulletedList",
                "numberedList",
                "blockQuote",
                "insertTable",
                "|",
                "undo",
                "redo",
            ],
        },
        "heading": {
            "options": [
                {"model": "paragraph", "title": "Paragraph", "class": "ck-heading_paragraph"},
                {"model": "heading2", "view": "h2", "title": "Heading", "class": "ck-heading_heading2"},
                {"model": "heading3", "view": "h3", "title": "Subheading", "class": "ck-heading_heading3"},
            ]
        },
        "table": {"contentToolbar": ["tableColumn", "tableRow", "mergeTableCells"]},
    },
}
