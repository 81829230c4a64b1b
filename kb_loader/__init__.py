"""Batch upload of Markdown/text files to the knowledge base's uploads bucket (`python -m kb_loader`)."""
