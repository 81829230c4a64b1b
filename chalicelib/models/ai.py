"""AI state: labelled examples, the taxonomy and the classifier's state."""

from __future__ import annotations

from pynamodb.attributes import (
    BinaryAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from chalicelib.models.base import BaseModel, register

DEFAULT_SET = "default"


@register
class ExampleModel(BaseModel):
    """One labelled text. `example_id` is derived from the text (or the ticket), so re-sending replaces it.
    `vector` caches its embedding (float16) once the trainer has computed it."""

    class Meta(BaseModel.Meta):
        logical_name = "ai-examples"
        table_name = "ai-examples"

    set_id = UnicodeAttribute(hash_key=True)
    example_id = UnicodeAttribute(range_key=True)
    text = UnicodeAttribute()
    label = UnicodeAttribute()
    source = UnicodeAttribute(default="api")
    ticket_id = NumberAttribute(null=True)
    created_at = UnicodeAttribute()
    vector = BinaryAttribute(null=True, legacy_encoding=False)
    vector_space = UnicodeAttribute(null=True)


@register
class LabelModel(BaseModel):
    """A category of the taxonomy, with a description (used for zero-shot and few-shot classification)."""

    class Meta(BaseModel.Meta):
        logical_name = "ai-labels"
        table_name = "ai-labels"

    set_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(range_key=True)
    description = UnicodeAttribute(default="")
    created_at = UnicodeAttribute()


@register
class ClassifierStateModel(BaseModel):
    """The classifier's status: which model version is live, and which example generation it was trained on."""

    class Meta(BaseModel.Meta):
        logical_name = "ai-state"
        table_name = "ai-state"

    name = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute(default="untrained")
    generation = NumberAttribute(default=0)
    trained_generation = NumberAttribute(default=0)
    examples = NumberAttribute(default=0)
    labels = NumberAttribute(default=0)
    version = UnicodeAttribute(null=True)
    model_key = UnicodeAttribute(null=True)
    trained_at = UnicodeAttribute(null=True)
    training_started_at = UnicodeAttribute(null=True)
    metrics = JSONAttribute(null=True)
    error = UnicodeAttribute(null=True)
