"""python -m devstack up  -- run the local stack (what `make dev` calls)."""

from __future__ import annotations

import sys

from devstack.stack import main

if __name__ == "__main__":
    if sys.argv[1:] not in ([], ["up"]):
        sys.stderr.write("usage: python -m devstack [up]\n")
        sys.exit(2)
    sys.exit(main())
