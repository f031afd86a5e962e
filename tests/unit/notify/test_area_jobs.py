"""Jobs other areas register with the scheduler: the directory's April confirmation round."""
from __future__ import annotations

from datetime import datetime

from core.dates import TOKYO
from core.scheduler import all_jobs, run_job


def test_the_april_confirmation_round_is_scheduled_and_opens_once(app, ctx) -> None:
    spec = next(s for s in all_jobs(app) if s.name == "directory-confirmation")
    assert spec.next_fire_time(datetime(2027, 3, 15, tzinfo=TOKYO)) == datetime(2027, 4, 1, 9, tzinfo=TOKYO)
    first = run_job(app, "directory-confirmation", fire_time=datetime(2027, 4, 1, 9, tzinfo=TOKYO),
                    now=datetime(2027, 4, 1, 9, tzinfo=TOKYO))
    assert first.status == "ok" and first.message.startswith("round for FY2027 opened")
    # a catch-up or a manual run later the same year does nothing
    again = run_job(app, "directory-confirmation", fire_time=datetime(2027, 4, 3, 9, tzinfo=TOKYO),
                    now=datetime(2027, 4, 3, 9, tzinfo=TOKYO))
    assert again.status == "ok" and again.message == "this fiscal year's round is already open"
