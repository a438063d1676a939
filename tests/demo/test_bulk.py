"""The benchmark data generator: the same scale and seed give the same data, and it cleans up after itself."""

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from activities.models import AttendanceEvent, Session, Tally
from demo import bulk

pytestmark = pytest.mark.django_db


def _fingerprint() -> str:
    rows = (
        Tally.objects.filter(session__activity__slug__startswith=bulk.PREFIX)
        .order_by("session__activity__slug", "session__starts_at", "age_band__min_age", "gender")
        .values_list("session__activity__slug", "session__starts_at", "age_band__min_age", "gender", "visits")
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def test_the_same_scale_and_seed_give_the_same_rows():
    first = bulk.generate(
        scale=0.1, seed=7, end_year=2025, progress=lambda label, total: bulk.Progress(label, total, io.StringIO())
    )
    one = _fingerprint()
    bulk.clear()
    second = bulk.generate(
        scale=0.1, seed=7, end_year=2025, progress=lambda label, total: bulk.Progress(label, total, io.StringIO())
    )

    assert first == second
    assert _fingerprint() == one
    assert first["activities"] == 20 and first["venues"] == 2
    assert first["attendance_rows"] == Tally.objects.count() > 3 * first["sessions"]
    assert Session.objects.filter(starts_at__year__gt=2025).count() == 0


def test_every_tally_has_its_ledger_and_clearing_removes_it():
    """The tallies are the ledger's projection here too: a sync recomputing a cell from the ledger keeps its count."""
    counts = bulk.generate(
        scale=0.1, seed=3, end_year=2025, progress=lambda label, total: bulk.Progress(label, total, io.StringIO())
    )
    ledger = {
        (row["session_id"], row["age_band_id"], row["gender"]): (row["visits"], row["first_visits"])
        for row in AttendanceEvent.objects.values("session_id", "age_band_id", "gender").annotate(
            visits=Sum("visits"), first_visits=Sum("first_visits")
        )
    }
    tallies = {
        (tally.session_id, tally.age_band_id, tally.gender): (tally.visits, tally.first_visits)
        for tally in Tally.objects.all()
    }

    assert counts["ledger_rows"] == counts["attendance_rows"] == len(tallies) > 0
    assert ledger == tallies
    bulk.clear()
    assert not AttendanceEvent.objects.exists() and not Tally.objects.exists()


def test_another_seed_gives_other_data():
    bulk.generate(
        scale=0.1, seed=1, end_year=2025, progress=lambda label, total: bulk.Progress(label, total, io.StringIO())
    )
    one = Tally.objects.aggregate(total=Sum("visits"))["total"]
    bulk.clear()
    bulk.generate(
        scale=0.1, seed=2, end_year=2025, progress=lambda label, total: bulk.Progress(label, total, io.StringIO())
    )

    assert Tally.objects.aggregate(total=Sum("visits"))["total"] != one


def test_the_command_refuses_a_second_copy_and_clears_on_request(organisation):
    out, err = io.StringIO(), io.StringIO()
    call_command("generate_bulk_data", scale=0.1, stdout=out, stderr=err)
    with pytest.raises(CommandError, match="already there"):
        call_command("generate_bulk_data", scale=0.1, stdout=io.StringIO(), stderr=io.StringIO())
    call_command("generate_bulk_data", scale=0.1, clear=True, stdout=io.StringIO(), stderr=io.StringIO())

    assert "20 activities" in out.getvalue()
    assert "attendance" in err.getvalue()  # the progress bar
    assert organisation.pk  # the organisations that are not bulk data stay
    bulk.clear()
    assert not Tally.objects.exists()
