"""A knowledge-base writer process for the two-writer test: `python -m tests.utils.kb_writer WRITER SOURCES...`.

Waits until START_AT (epoch seconds) so that both writers hit the store at the same moment, then writes
each source's chunks through the same code path as the API and the queue consumers.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main() -> int:
    """Write the named sources, each with CHUNKS chunks; print a JSON summary."""
    from chalicelib.rag.chunking import Chunk
    from chalicelib.rag.embeddings import get_embedder
    from chalicelib.rag.store import get_store
    from chalicelib.services import kb

    writer, sources = sys.argv[1], sys.argv[2:]
    chunks = int(os.environ.get("CHUNKS", "20"))
    embedder = get_embedder("hash")
    store = get_store(embedder.space)
    store.table()
    documents = []
    for source in sources:
        document = kb.Document(source=source, title=source, metadata={"source": source, "writer": writer},
                               chunks=[Chunk(i, f"{source} part {i} written by {writer}", "") for i in range(chunks)])
        documents.append((document, kb.embed_chunks(document, document.chunks, embedder)))
    time.sleep(max(0.0, float(os.environ["START_AT"]) - time.time()))
    started = time.time()
    for document, vectors in documents:
        kb.write_document(document, vectors, store, embedder.name)
    sys.stdout.write(json.dumps({"writer": writer, "sources": len(sources), "seconds": time.time() - started}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
