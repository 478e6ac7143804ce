"""What briefs tell the apps above them (they import nothing of those apps).

``correction_added``: sent by ``workflow.add_correction`` once the correction is stored, with
``correction`` and ``tell_followers`` (the editor ticked "Tell subscribers"). Email alerts
(subscriptions/signals.py) announce it to the brief's followers.
"""

from django.dispatch import Signal

correction_added = Signal()
