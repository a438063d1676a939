"""Activities' pages, one module per audience; `activities.urls` maps them.

- `sessions`: the tablet's attendance pages (today, a session, corrections, the service worker).
- `tablet`: the venue a shared tablet remembers (a signed cookie) and the view that pins it.
- `calendar`: the coordinators' calendar of a venue or a district.
- `public`: the public programme and its iCal feeds.
"""
