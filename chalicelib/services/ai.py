"""AI: the taxonomy and labelled examples, training, classification of texts and tickets, suggestions."""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import timedelta
from typing import Any

import numpy as np
from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib import aws
from chalicelib.ai import classifier, drafting, triage
from chalicelib.clock import now_iso, parse_iso, to_iso, utcnow
from chalicelib.config import get_settings
from chalicelib.db import TransactionFailed, Tx, batch_get, chunked, query_once
from chalicelib.errors import Conflict, FieldError, ValidationFailed
from chalicelib.log import logger
from chalicelib.models import bind_models
from chalicelib.models.ai import DEFAULT_SET, ClassifierStateModel, ExampleModel, LabelModel
from chalicelib.models.tickets import ReplyModel, TicketModel
from chalicelib.models.users import UserModel
from chalicelib.ops import events, stats
from chalicelib.principal import Principal
from chalicelib.schemas.ai import ExampleListQuery, ExamplesIn, LabelsIn
from chalicelib.services import auto_reply, listing, outbox, tickets

STATE_KEY = "classifier"
TRAINING_LEASE_S = 15 * 60
MAX_TEXT_CHARS = 4000
SNIPPETS = 3


# --- embeddings ---------------------------------------------------------------------------------------

def _embedder() -> Any:
    from chalicelib.rag.embeddings import get_embedder  # lazy: loads the model only on the AI paths

    return get_embedder()


def embed(texts: list[str]) -> classifier.Matrix:
    """L2-normalised float32 embeddings, one row per text."""
    vectors: classifier.Matrix = np.asarray(_embedder().embed(texts), dtype=np.float32)
    return vectors


def vector_space() -> str:
    """Which embedding space vectors come from (a model trained in another space cannot be used)."""
    return str(_embedder().space)


def ticket_text(title: str, content: str) -> str:
    """What the classifier reads for a ticket."""
    return f"{title}\n{content}"[:MAX_TEXT_CHARS]


def text_hash(text: str) -> str:
    """A short fingerprint of a text (to know whether a stored classification is still about this text)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# --- taxonomy and examples ----------------------------------------------------------------------------

def _label_dict(label: LabelModel) -> dict[str, Any]:
    return {"name": label.name, "description": label.description or "", "created_at": label.created_at}


def list_labels() -> list[dict[str, Any]]:
    """The whole taxonomy (a few hundred labels at most: one Query)."""
    bind_models()
    labels, _ = query_once(LabelModel, DEFAULT_SET, limit=500)
    return [_label_dict(label) for label in labels]


def upsert_labels(*, data: LabelsIn) -> list[dict[str, Any]]:
    """Create or update categories; descriptions help the few-shot model, so the classifier retrains."""
    bind_models()
    wanted = {label.name: label for label in data.labels}  # a name sent twice: the last one wins
    existing = {label.name: label for label in LabelModel.batch_get([(DEFAULT_SET, n) for n in wanted])}
    now = now_iso()
    created = 0
    with LabelModel.batch_write() as writer:
        for label in wanted.values():
            if label.name.lower() in classifier.OUT_OF_SCOPE_LABELS:
                raise ValidationFailed("out_of_scope is reserved", [FieldError("labels", f"{label.name} is reserved")])
            created += label.name not in existing
            writer.save(LabelModel(DEFAULT_SET, label.name, description=label.description,
                                   created_at=existing[label.name].created_at if label.name in existing else now))
    _bump_generation(new_examples=0, new_labels=created)
    return list_labels()


def label_exists(name: str) -> bool:
    """Whether `name` is a category of the taxonomy."""
    bind_models()
    try:
        LabelModel.get(DEFAULT_SET, name)
        return True
    except DoesNotExist:
        return False


def example_id(text: str) -> str:
    """Examples are keyed by their normalised text: the same text sent again replaces its label."""
    return "t" + hashlib.sha1(" ".join(text.lower().split()).encode("utf-8")).hexdigest()[:24]  # noqa: S324


def add_examples(*, data: ExamplesIn, source: str = "api") -> dict[str, Any]:
    """Store labelled examples (new labels join the taxonomy) and schedule retraining."""
    bind_models()
    batch: dict[str, tuple[str, str]] = {}
    for example in data.examples:
        batch[example_id(example.text)] = (example.text, example.label)
    existing = {
        item.example_id
        for keys in chunked([(DEFAULT_SET, i) for i in batch], 100)
        for item in ExampleModel.batch_get(keys, attributes_to_get=["set_id", "example_id"])
    }
    now = now_iso()
    with ExampleModel.batch_write() as writer:
        for identifier, (text, label) in batch.items():
            writer.save(ExampleModel(DEFAULT_SET, identifier, text=text, label=label, source=source, created_at=now))
    labels_added = _ensure_labels({label for _, label in batch.values()})
    generation = _bump_generation(new_examples=len(set(batch) - existing), new_labels=len(labels_added))
    return {"received": len(data.examples), "new": len(set(batch) - existing), "labels_added": labels_added,
            "generation": generation, "status": get_state().status}


def _ensure_labels(names: set[str]) -> list[str]:
    names = {n for n in names if n.lower() not in classifier.OUT_OF_SCOPE_LABELS}
    known = {label.name for label in LabelModel.batch_get([(DEFAULT_SET, n) for n in names])} if names else set()
    missing = sorted(names - known)
    now = now_iso()
    with LabelModel.batch_write() as writer:
        for name in missing:
            writer.save(LabelModel(DEFAULT_SET, name, description="", created_at=now))
    return missing


def record_agent_correction(*, ticket_id: int, title: str, content: str, category: str) -> None:
    """An agent's category for a ticket becomes a training example (one per ticket: a re-correction replaces it)."""
    bind_models()
    ExampleModel(DEFAULT_SET, f"ticket-{ticket_id}", text=ticket_text(title, content), label=category,
                 source="agent", ticket_id=ticket_id, created_at=now_iso()).save()
    _bump_generation(new_examples=1, new_labels=0)


def list_examples(*, query: ExampleListQuery) -> dict[str, Any]:
    """A page of examples (one Query)."""
    bind_models()
    start = None
    if query.cursor:
        sk, _ = listing.decode_cursor(query.cursor)
        start = {"set_id": {"S": DEFAULT_SET}, "example_id": {"S": sk}}
    items, last = query_once(ExampleModel, DEFAULT_SET, limit=query.page_size, start_key=start)
    return {
        "items": [{"id": e.example_id, "text": e.text, "label": e.label, "source": e.source,
                   "ticket_id": int(e.ticket_id) if e.ticket_id is not None else None, "created_at": e.created_at}
                  for e in items],
        "page": query.page, "page_size": query.page_size, "total": get_state().examples,
        "next_cursor": listing.encode_cursor(last["example_id"]["S"], query.page + 1) if last else None,
    }


# --- classifier state and training ---------------------------------------------------------------------

def get_state() -> ClassifierStateModel:
    """The classifier's state item (a fresh one when nothing was ever stored)."""
    bind_models()
    try:
        return ClassifierStateModel.get(STATE_KEY, consistent_read=True)
    except DoesNotExist:
        return ClassifierStateModel(STATE_KEY)


def _bump_generation(new_examples: int, new_labels: int) -> int:
    state = ClassifierStateModel(STATE_KEY)
    state.update(actions=[ClassifierStateModel.generation.add(1),
                          ClassifierStateModel.examples.add(new_examples),
                          ClassifierStateModel.labels.add(new_labels)])
    generation = int(state.generation)
    outbox.send("train", {"generation": generation})
    return generation


def classifier_status() -> dict[str, Any]:
    """What GET /api/ai/classifier reports."""
    state = get_state()
    status = state.status if state.status in ("ready", "training") else "untrained"
    if status == "ready" and not state.version:
        status = "untrained"
    metrics = dict(state.metrics) if state.metrics else None
    return {
        "status": status, "examples": int(state.examples or 0), "labels": int(state.labels or 0),
        "trained_at": state.trained_at, "version": state.version, "kind": (metrics or {}).get("kind"),
        "metrics": metrics, "pending_generation": int(state.generation or 0) > int(state.trained_generation or 0),
        "error": state.error,
    }


def _all_examples() -> list[ExampleModel]:
    """Every example, for training (a background job): a paginated Query of the example set."""
    return list(ExampleModel.query(DEFAULT_SET, consistent_read=True))


def _acquire_training_lease() -> bool:
    lease_expired = to_iso(utcnow() - timedelta(seconds=TRAINING_LEASE_S))
    state = ClassifierStateModel
    condition = (state.status != "training") | state.training_started_at.does_not_exist() \
        | (state.training_started_at < lease_expired)
    try:
        ClassifierStateModel(STATE_KEY).update(
            actions=[state.status.set("training"), state.training_started_at.set(now_iso())], condition=condition)
        return True
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise


def train_from_message(body: dict[str, Any]) -> dict[str, Any]:
    """Queue handler: retrain unless the live model already covers this generation of examples."""
    generation = int(body.get("generation", 0))
    state = get_state()
    if state.status == "ready" and int(state.trained_generation or 0) >= generation and state.version:
        return {"skipped": "already trained"}
    return train()


def train() -> dict[str, Any]:
    """Train on every example, publish the model to S3 and switch the live version (single writer by lease)."""
    bind_models()
    if not _acquire_training_lease():
        return {"skipped": "another training is running"}
    started = time.time()
    generation = int(get_state().generation or 0)
    previous = get_state()
    try:
        examples = _all_examples()
        labels = list_labels()
        space = vector_space()
        if not examples and not labels:
            _finish(status="untrained", error=None)
            return {"skipped": "no examples"}
        vectors = _example_vectors(examples, space)
        label_vectors = {}
        if labels:
            rows = embed([f"{label['name'].replace('_', ' ')}: {label['description']}".strip(": ") for label in labels])
            label_vectors = {label["name"]: rows[i:i + 1] for i, label in enumerate(labels)}
        model = classifier.train(vectors, [e.label for e in examples], vector_space=space,
                                 label_vectors=label_vectors)
        version = f"g{generation}-{int(time.time())}"
        model.metrics.update({"kind": model.kind, "train_seconds": round(time.time() - started, 1)})
        key = f"classifier/{version}.npz"
        aws.client("s3").put_object(Bucket=get_settings().bucket_name("artifacts"), Key=key, Body=model.to_bytes())
        ClassifierStateModel(STATE_KEY).update(actions=[
            ClassifierStateModel.status.set("ready"), ClassifierStateModel.version.set(version),
            ClassifierStateModel.model_key.set(key), ClassifierStateModel.trained_generation.set(generation),
            ClassifierStateModel.trained_at.set(now_iso()), ClassifierStateModel.metrics.set(model.metrics),
            ClassifierStateModel.examples.set(len(examples)), ClassifierStateModel.labels.set(len(model.labels)),
            ClassifierStateModel.error.remove(), ClassifierStateModel.training_started_at.remove()])
        logger.info("classifier trained", extra={"version": version, "metrics": model.metrics})
    except Exception as exc:
        _finish(status="ready" if previous.version else "untrained", error=f"{type(exc).__name__}: {exc}")
        raise
    if int(get_state().generation or 0) > generation:
        outbox.send("train", {"generation": int(get_state().generation)})
    return {"version": version, "metrics": model.metrics}


def _finish(status: str, error: str | None) -> None:
    actions: list[Any] = [ClassifierStateModel.status.set(status), ClassifierStateModel.training_started_at.remove()]
    actions.append(ClassifierStateModel.error.set(error[:500]) if error else ClassifierStateModel.error.remove())
    ClassifierStateModel(STATE_KEY).update(actions=actions)


def _example_vectors(examples: list[ExampleModel], space: str) -> classifier.Matrix:
    """Embeddings of the examples, computed once and cached (float16) on the example items."""
    missing = [e for e in examples if e.vector is None or e.vector_space != space]
    for batch in chunked(missing, 256):
        rows = embed([e.text for e in batch])
        with ExampleModel.batch_write() as writer:
            for example, row in zip(batch, rows, strict=True):
                example.vector = row.astype(np.float16).tobytes()
                example.vector_space = space
                writer.save(example)
    if not examples:
        return np.zeros((0, 384), dtype=np.float32)
    matrix = np.vstack([np.frombuffer(e.vector, dtype=np.float16) for e in examples]).astype(np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    normalised: classifier.Matrix = matrix / np.maximum(norms, 1e-12)
    return normalised


def ensure_training_scheduled() -> bool:
    """Schedule: when examples changed and no training runs (or a lease expired), ask for one."""
    state = get_state()
    behind = int(state.generation or 0) > int(state.trained_generation or 0)
    stale = state.status == "training" and state.training_started_at is not None and \
        (utcnow() - parse_iso(state.training_started_at)).total_seconds() > TRAINING_LEASE_S
    if (behind and state.status != "training") or stale:
        return outbox.send("train", {"generation": int(state.generation or 0)})
    return False


# --- prediction -----------------------------------------------------------------------------------------

_cache_lock = threading.Lock()
_model_cache: dict[str, classifier.TrainedModel] = {}


def current_model() -> classifier.TrainedModel | None:
    """The live model (kept in memory per version: one GetItem per call, one S3 read per new version)."""
    state = get_state()
    if not state.version or not state.model_key:
        return None
    with _cache_lock:
        cached = _model_cache.get(state.version)
    if cached is not None:
        return cached
    body = aws.client("s3").get_object(Bucket=get_settings().bucket_name("artifacts"), Key=state.model_key)["Body"]
    model = classifier.TrainedModel.from_bytes(body.read())
    with _cache_lock:
        _model_cache.clear()
        _model_cache[state.version] = model
    return model


def reset_caches() -> None:
    """Forget the in-memory model (tests; a new stack)."""
    with _cache_lock:
        _model_cache.clear()


def _zero_shot_model(space: str) -> classifier.TrainedModel | None:
    labels = list_labels()
    if not labels:
        return None
    rows = embed([f"{label['name'].replace('_', ' ')}: {label['description']}".strip(": ") for label in labels])
    return classifier.TrainedModel(kind="zero-shot", labels=[label["name"] for label in labels],
                                   weights=rows * classifier.CENTROID_SCALE,
                                   bias=np.zeros(len(labels), dtype=np.float32), temperature=1.0,
                                   threshold=classifier.DEFAULT_OOS_THRESHOLD, vector_space=space)


def predict(text: str) -> tuple[classifier.Prediction | None, str]:
    """The prediction for a text and the name of the model that made it (None when there is no taxonomy)."""
    space = vector_space()
    model = current_model()
    name = f"{model.kind}@{get_state().version}" if model else "zero-shot"
    if model is None or model.vector_space != space:
        model = _zero_shot_model(space)
        name = "zero-shot"
    if model is None:
        return None, "none"
    return model.predict(embed([text]))[0], name


def classify_text(*, text: str) -> dict[str, Any]:
    """Classify any text: best taxonomy label, calibrated confidence, runners-up, priority and tags."""
    prediction, model_name = predict(text)
    if prediction is None:
        raise Conflict("the classifier has no categories yet: add examples (POST /api/ai/examples) first",
                       code="untrained")
    category = prediction.category
    return {
        "category": category, "confidence": prediction.confidence, "alternatives": prediction.alternatives,
        "out_of_scope": prediction.out_of_scope,
        "priority": triage.recommend_priority(text, None if prediction.out_of_scope else category),
        "tags": triage.recommend_tags(text, None if prediction.out_of_scope else category),
        "model": model_name,
    }


def classify_ticket_message(body: dict[str, Any]) -> dict[str, Any]:
    """Queue handler: classify a ticket and store the result, unless a newer result is already stored."""
    bind_models()
    ticket_id, version = int(body["ticket_id"]), int(body.get("version", 0))
    try:
        ticket = TicketModel.get(ticket_id, consistent_read=True)
    except DoesNotExist:
        ticket = None
    if ticket is None or ticket.deleted_at is not None or (ticket.ai_source_version or 0) >= max(version, 1) and \
            ticket.ai_classified_at is not None and int(ticket.ai_source_version or 0) >= int(ticket.version):
        _complete_only(ticket_id, version)
        return {"skipped": True}
    text = ticket_text(ticket.title, ticket.content)
    result = classify_text(text=text)
    values = {
        "ai_category": None if result["out_of_scope"] else result["category"],
        "ai_confidence": result["confidence"],
        "ai_priority": result["priority"],
        "ai_tags": result["tags"],
        "ai_out_of_scope": result["out_of_scope"],
        "ai_alternatives": [{"category": result["category"], "confidence": result["confidence"]},
                            *result["alternatives"]],
        "ai_model": result["model"],
        "ai_classified_at": now_iso(),
        "ai_source_version": int(ticket.version),
    }
    tx = Tx()
    newer = TicketModel.ai_source_version.does_not_exist() | (TicketModel.ai_source_version < int(ticket.version))
    tx.update_fields("ticket", TicketModel, ticket_id, tickets.set_actions(TicketModel, values),
                     condition=TicketModel.id.exists() & TicketModel.deleted_at.does_not_exist() & newer)
    outbox.complete(tx, "classify", str(ticket_id), int(ticket.version))
    events.record(tx, ticket_id, "ai_classified", None, at=values["ai_classified_at"], data={
        k: values[k] for k in ("ai_category", "ai_confidence", "ai_priority", "ai_tags", "ai_out_of_scope",
                               "ai_model")})
    stats.bump(tx, values["ai_classified_at"][:10], f"ai|c={values['ai_category'] or 'out_of_scope'}")
    answer_promise = auto_reply.promise(tx, ticket)
    try:
        tx.commit()
    except TransactionFailed:
        _complete_only(ticket_id, version)
        return {"skipped": "a newer result is stored"}
    if answer_promise:
        outbox.send(auto_reply.OUTBOX_KIND, answer_promise)
    return {"ticket_id": ticket_id, **{k: values[k] for k in ("ai_category", "ai_confidence")}}


def _complete_only(ticket_id: int, version: int) -> None:
    tx = Tx()
    outbox.complete(tx, "classify", str(ticket_id), version)
    try:
        tx.commit()
    except TransactionFailed:
        pass  # a newer promise is waiting; its own message will complete it


# --- suggestions ------------------------------------------------------------------------------------------

def _thread(ticket_id: int, requester_id: int) -> list[dict[str, Any]]:
    replies, _ = query_once(ReplyModel, ticket_id, limit=50)
    return [{"from": "customer" if int(r.author_id) == requester_id else "agent", "content": r.content}
            for r in replies if not r.internal]


def _snippets(query: str) -> list[dict[str, Any]]:
    try:
        from chalicelib.schemas.kb import KbSearchIn
        from chalicelib.services import kb

        results = kb.search(data=KbSearchIn(query=query[:1000], top_k=SNIPPETS))["results"]
    except Exception:  # the KB is optional for a draft: log and answer without snippets
        logger.exception("knowledge-base search failed during a suggestion")
        return []
    return [{"id": str(r["id"]), "content": r["content"], "metadata": r.get("metadata", {}),
             "distance": float(r.get("distance", 0.0))} for r in results]


def suggest(*, ticket_id: int, actor: Principal) -> dict[str, Any]:
    """The stored classification if it is about the current text (else a fresh one), KB snippets, a draft."""
    ticket = tickets.get_ticket_model(ticket_id, actor)
    people = batch_get(UserModel, [int(ticket.requester_id), actor.user_id])
    requester = people.get(int(ticket.requester_id))
    agent = people.get(actor.user_id)
    thread = _thread(ticket_id, int(ticket.requester_id))
    text = ticket_text(ticket.title, ticket.content)
    if ticket.ai_classified_at and ticket.ai_alternatives and int(ticket.ai_source_version or 0) == int(ticket.version):
        best = dict(ticket.ai_alternatives[0])
        classification = {
            "category": best["category"], "confidence": float(best["confidence"]),
            "alternatives": [dict(a) for a in ticket.ai_alternatives[1:]],
            "out_of_scope": bool(ticket.ai_out_of_scope), "priority": ticket.ai_priority or "medium",
            "tags": list(ticket.ai_tags or []), "model": ticket.ai_model or "stored",
        }
        source = "stored"
    else:
        try:
            classification = classify_text(text=text)
        except Conflict:
            classification = {"category": None, "confidence": 0.0, "alternatives": [], "out_of_scope": True,
                              "priority": triage.recommend_priority(text, None),
                              "tags": triage.recommend_tags(text, None), "model": "none"}
        source = "computed"
    _count_first_suggestion(ticket_id)
    latest_from_customer = next((m["content"] for m in reversed(thread) if m["from"] == "customer"), "")
    snippets = _snippets(f"{ticket.title}\n{ticket.content}\n{latest_from_customer}".strip())
    draft = drafting.draft_reply({"title": ticket.title, "content": ticket.content},
                                 requester.name if requester else None, agent.name if agent else None, thread,
                                 snippets)
    sources = [{"n": n, "id": s["id"], "source": s["metadata"].get("source"), "title": s["metadata"].get("title"),
                "cited": n in draft.citations} for n, s in enumerate(snippets, 1)]
    return {
        **{k: classification[k] for k in ("category", "confidence", "alternatives", "out_of_scope", "priority",
                                          "tags")},
        "snippets": snippets, "draft": draft.text, "draft_source": draft.source,
        "fallback_reason": draft.fallback_reason, "sources": sources,
        "model": f"{classification['model']} + {draft.model}", "classification": source,
    }


def _count_first_suggestion(ticket_id: int) -> None:
    """Count tickets (not clicks) that got a suggestion, for the acceptance rate on the dashboard."""
    now = now_iso()
    tx = Tx()
    tx.update_fields("ticket", TicketModel, ticket_id, [TicketModel.ai_suggested_at.set(now)],
                     condition=TicketModel.id.exists() & TicketModel.ai_suggested_at.does_not_exist())
    stats.bump(tx, now[:10], "ai_suggested")
    try:
        tx.commit()
    except TransactionFailed:
        pass  # suggested before: counted then


def validate_category(name: str) -> None:
    """422 unless `name` is a category of the taxonomy."""
    if not label_exists(name):
        raise ValidationFailed(f"category {name!r} is not in the taxonomy",
                               [FieldError("category", "not a known category (see GET /api/ai/labels)")])


