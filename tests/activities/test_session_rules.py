import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ..factories import SessionFactory


@pytest.mark.django_db
def test_a_session_lasts_at_most_a_day():
    session = SessionFactory()
    session.ends_at = session.starts_at + dt.timedelta(hours=24, minutes=1)

    with pytest.raises(ValidationError, match="at most 24 hours"):
        session.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        session.save()

    session.ends_at = session.starts_at + dt.timedelta(hours=24)
    session.full_clean()
    session.save()
