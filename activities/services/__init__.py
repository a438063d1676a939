"""Activities' writes and state changes, one module per subject; import from the module itself.

- `schedules`: the dates a schedule wants (its rule, from `activities.recurrence`,
  with holidays and excluded and extra dates) and generating its sessions.
- `spaces`: booking a session into a space and lending a space to a partner.
- `attendance`: the tablet's sync into the ledger, corrections, imported counts
  and the sync's limits.
"""
