"""AI: ticket classification (embeddings + a trained head), priority and tag recommendation, and reply drafts
(any OpenAI-compatible LLM, with a template fallback)."""
