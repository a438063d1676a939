import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("kvarter")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# A static schedule instead of django-celery-beat, which caps Django below 6.1.
# Every entry is also a management command calling the same service, so cron
# or an operator can do the same by hand.
app.conf.beat_schedule = {
    "generate-upcoming-sessions": {
        "task": "activities.generate_upcoming_sessions",
        "schedule": crontab(hour=2, minute=15),
    },
    # Every night: personal data past its retention period (manage.py apply_retention).
    "apply-retention": {
        "task": "privacy.apply_retention",
        "schedule": crontab(hour=3, minute=30),
    },
    # Every night: the attendance rollup's safety net (manage.py rebuild_rollup --recent).
    "refresh-attendance-rollup": {
        "task": "activities.refresh_rollup",
        "schedule": crontab(hour=2, minute=45),
    },
    # Every morning: reports to funders due in 30 and 7 days (manage.py send_obligation_reminders).
    "send-obligation-reminders": {
        "task": "partnerships.send_obligation_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    # Every morning: screening checks expiring within 30 days (manage.py send_screening_reminders).
    "send-screening-reminders": {
        "task": "volunteers.send_screening_reminders",
        "schedule": crontab(hour=7, minute=45),
    },
    # Every afternoon: tomorrow's shifts (manage.py send_shift_reminders); the
    # afternoon, so a volunteer can still say they cannot come.
    "send-shift-reminders": {
        "task": "volunteers.send_shift_reminders",
        "schedule": crontab(hour=16, minute=0),
    },
    # Every five minutes: messages whose task was lost (manage.py sweep_messages).
    "sweep-messages": {
        "task": "core.sweep_messages",
        "schedule": 300.0,
    },
    # Every minute: report requests whose worker died go to another (manage.py sweep_report_requests).
    "sweep-report-requests": {
        "task": "reporting.sweep_report_requests",
        "schedule": 60.0,
    },
    # 1 January: last year's annual reports (manage.py produce_annual_reports).
    "produce-annual-reports": {
        "task": "reporting.produce_annual_reports",
        "schedule": crontab(month_of_year=1, day_of_month=1, hour=3, minute=0),
    },
}
