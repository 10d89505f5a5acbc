"""The bench's dates (no Django import, so ``bench.run`` can use them before ``django.setup()``)."""

import datetime as dt

#: The book's last replayed day; the next is an ordinary day, the one after that an issue date.
BOOK_DAY = dt.date(2026, 10, 30)
ORDINARY_DAY = BOOK_DAY + dt.timedelta(days=1)
ISSUE_DAY = ORDINARY_DAY + dt.timedelta(days=1)  # the 1st: officecore and flow issue (BIL-3)
