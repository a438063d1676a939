"""The production static files storage: hashed names, compressed copies, module imports rewritten."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage, with the imports between JavaScript modules pointing at the hashed files.

    The tablet page's modules (static/js/attendance/) import each other by
    relative URL. Left as they are, the hashed main.js would import the
    unhashed siblings: a tablet could run a cached main.js of one release with
    the store.js of the next, and offline its service worker, which precaches
    the hashed names, would not have them. Only imports and exports `from` a
    relative URL are rewritten; the vendored bundles come out unchanged
    (tests/activities/test_static.py checks both).
    """

    support_js_module_import_aggregation = True
