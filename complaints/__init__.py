"""Complaints and feedback (phản ánh, kiến nghị): tickets, routing, working-day deadlines.

- ``models``: tickets, their event history (the record the figures are replayed from),
  photos, and the days off / compensatory working days staff add to the calendar.
- ``categories`` and ``routing``: what a ticket is about, which unit owns it, who else is
  told (staff-attitude complaints reach the reform office and the leadership; formal
  complaints and denunciations go to a designated officer and stay confidential).
- ``calendar`` and ``deadlines``: working days (Vietnamese holidays from the ``holidays``
  package, plus staff-recorded days), deadlines in working days, the clock stopped while
  staff wait for the resident.
- ``service``: opening and acting on tickets, lookups, the on-time rate.
- ``privacy``: the notice shown before name and phone are asked, masking and redaction.
- ``photos``: content checks and re-encoding without metadata.
- ``export``: CSV/XLSX for reports, masked and safe against formula injection.
- ``sweeps`` and ``plugin``: alerts, reminders, escalations, photo downloads, draft
  expiry and retention, as idempotent sweeps over rows with due times.

The conversation lives in ``handlers/complaints.py`` (residents) and
``handlers/staff.py`` (the staff group); settings per commune are under
``settings["complaints"]`` (see ``config``), changed with ``motcua complaints settings``.
"""
