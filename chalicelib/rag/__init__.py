"""Retrieval for the knowledge base: chunking, embeddings and the LanceDB vector store.

Heavy libraries (torch, onnxruntime, lancedb) are imported lazily inside the functions that need them.
"""
