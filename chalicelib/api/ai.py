"""AI routes: suggestions for a ticket, text classification, the classifier's examples, taxonomy and status."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib.api.http import ADMIN, STAFF, Call, endpoint
from chalicelib.api.security import bearer_auth
from chalicelib.schemas.ai import (
    ClassifierOut,
    ClassifyIn,
    ClassifyOut,
    ExampleListQuery,
    ExampleOut,
    ExamplesAccepted,
    ExamplesIn,
    LabelOut,
    LabelsIn,
    SuggestionOut,
)
from chalicelib.schemas.common import PageOf, PathId
from chalicelib.services import classification, classifier_state, taxonomy
from chalicelib.services import suggest as suggestions
from chalicelib.store import outbox

bp = Blueprint(__name__)


@endpoint(bp, "POST", "/api/ai/tickets/{ticket_id}/suggest", summary="Suggest a reply", tag="ai",
          authorizer=bearer_auth, response=SuggestionOut, roles=STAFF, scope="ai", errors=(401, 403, 404))
def suggest(call: Call, ticket_id: PathId) -> dict[str, Any]:
    """Category, priority and tags, the KB snippets that fit, and a draft reply to edit before sending."""
    return suggestions.suggest(ticket_id=ticket_id, actor=call.principal)


@endpoint(bp, "POST", "/api/ai/classify", summary="Classify a text", tag="ai", authorizer=bearer_auth,
          body=ClassifyIn, response=ClassifyOut, roles=STAFF, scope="ai", errors=(409,))
def classify(call: Call) -> dict[str, Any]:
    """The best category of the taxonomy with a calibrated confidence; `out_of_scope` when nothing fits."""
    return classification.classify_text(text=call.body.text)


@endpoint(bp, "GET", "/api/ai/classifier", summary="Classifier status", tag="ai", authorizer=bearer_auth,
          response=ClassifierOut, roles=STAFF, scope="ai")
def classifier_status(_call: Call) -> dict[str, Any]:
    """Which model is live, on how many examples and labels, and whether a newer one is being trained."""
    return classifier_state.classifier_status()


@endpoint(bp, "POST", "/api/ai/examples", summary="Add labelled examples", tag="ai", authorizer=bearer_auth,
          body=ExamplesIn, response=ExamplesAccepted, status=202, roles=STAFF, scope="ai", errors=(413,))
def add_examples(call: Call) -> dict[str, Any]:
    """Up to 1,000 `{text, label}` per request; the classifier retrains in the background."""
    return taxonomy.add_examples(data=call.body)


@endpoint(bp, "GET", "/api/ai/examples", summary="List examples", tag="ai", authorizer=bearer_auth,
          query=ExampleListQuery, response=PageOf[ExampleOut], roles=STAFF, scope="ai")
def list_examples(call: Call) -> dict[str, Any]:
    """A page of the stored examples."""
    return taxonomy.list_examples(query=call.query)


@endpoint(bp, "POST", "/api/ai/labels", summary="Create or update categories", tag="ai", authorizer=bearer_auth,
          body=LabelsIn, response=list[LabelOut], roles=STAFF, scope="ai")
def upsert_labels(call: Call) -> list[dict[str, Any]]:
    """Categories with descriptions (descriptions make the classifier better with few examples)."""
    return taxonomy.upsert_labels(data=call.body)


@endpoint(bp, "GET", "/api/ai/labels", summary="List categories", tag="ai", authorizer=bearer_auth,
          response=list[LabelOut], roles=STAFF, scope="ai")
def list_labels(_call: Call) -> list[dict[str, Any]]:
    """The taxonomy."""
    return taxonomy.list_labels()


@endpoint(bp, "POST", "/api/ai/train", summary="Retrain now", tag="ai", authorizer=bearer_auth,
          response=ClassifierOut, status=202, roles=ADMIN, scope="admin")
def retrain(_call: Call) -> dict[str, Any]:
    """Ask for a retraining (it runs in the background; poll GET /api/ai/classifier)."""
    outbox.send("train", {"generation": int(classifier_state.get_state().generation or 0), "force": True})
    return classifier_state.classifier_status()
