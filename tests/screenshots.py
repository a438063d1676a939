"""Where tests put the screenshots and page images they take.

By default a build folder, so `make test` never rewrites tracked files;
`make screenshots` points KVARTER_SCREENSHOTS_DIR at docs/screenshots to
refresh the README's pictures on purpose.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = Path(os.environ.get("KVARTER_SCREENSHOTS_DIR") or ROOT / "build" / "screenshots")
