"""python -m kb_loader PATH --prefix P [--wait]: upload .md/.txt files; the bucket's notifications ingest them.

python -m kb_loader examples FILE.csv [--wait]: send labelled examples (text,label) to the classifier.
"""

from __future__ import annotations

import sys

from kb_loader.cli import main

if __name__ == "__main__":
    sys.exit(main())
