class TwoDigitConverter:
    """Month and day in brief URLs: accepts 4 or 04, always builds 04."""

    regex = r"[0-9]{1,2}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):02d}"
