"""What activities tells the apps above it, which it cannot import (docs/architecture.md)."""

from django.dispatch import Signal

# A session became cancelled (in the admin or from a tablet), sent inside the
# transaction that cancelled it with `session_id=`. volunteers.receivers
# tells its volunteers and participants' contacts after the commit.
session_cancelled = Signal()
