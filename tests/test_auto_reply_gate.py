"""The AI first response's pure parts: the gate, the template answer and the grounding check."""

from __future__ import annotations

import pytest

from chalicelib.ai import auto_reply as gate

POLICY = {**gate.DEFAULT_POLICY, "enabled": True, "min_confidence": 0.6, "min_similarity": 0.5}
REFUNDS = {"id": "r1", "content": "# Refund policy\n\nRefunds are issued to the original card within 5 days.",
           "metadata": {"source": "refunds.md", "title": "Refund policy", "category": ["billing", "refunds"]},
           "distance": 0.3}
RESET = {"id": "p1", "content": "Choose **Forgot password** on the sign-in page [1].",
         "metadata": {"source": "reset.md", "title": "Password reset", "category": "account_access"}, "distance": 0.2}
UNTAGGED = {"id": "u1", "content": "Our offices are closed on Sundays.", "metadata": {"source": "hours.md"},
            "distance": 0.4}


def classified(category="billing", confidence=0.9, out_of_scope=False):
    return {"category": category, "confidence": confidence, "out_of_scope": out_of_scope}


def test_it_answers_when_the_classifier_and_a_passage_of_that_category_agree():
    decision = gate.decide({"priority": "medium"}, classified(), [RESET, REFUNDS, UNTAGGED], POLICY)
    assert decision.sent and decision.category == "billing" and decision.passages == [REFUNDS]
    assert decision.confidence == 0.9


@pytest.mark.parametrize(("ticket", "classification", "passages", "policy", "reason"), [
    ({}, classified(), [REFUNDS], {**POLICY, "enabled": False}, "disabled"),
    ({"priority": "urgent"}, classified(), [REFUNDS], POLICY, "urgent priority is never answered"),
    ({}, None, [REFUNDS], POLICY, "not classified"),
    ({}, classified(out_of_scope=True), [REFUNDS], POLICY, "out of scope"),
    ({}, classified(), [REFUNDS], {**POLICY, "categories": ["shipping"]}, "category billing is not answered"),
    ({}, {**classified(), "model": "zero-shot"}, [REFUNDS], POLICY, "no history to learn from"),
    ({}, classified(confidence=0.59), [REFUNDS], POLICY, "low confidence"),
    ({}, classified(), [RESET], POLICY, "no grounded answer"),
    ({}, classified(), [{**REFUNDS, "distance": 0.6}], POLICY, "no grounded answer"),
    ({}, classified(), [], POLICY, "no grounded answer"),
])
def test_it_declines_with_the_first_reason_that_applies(ticket, classification, passages, policy, reason):
    decision = gate.decide(ticket, classification, passages, policy)
    assert not decision.sent and decision.reason == reason and decision.passages == []


def test_an_untagged_passage_needs_a_higher_similarity():
    close = {**UNTAGGED, "distance": 0.5 - gate.UNTAGGED_MARGIN - 0.01}
    assert not gate.decide({}, classified(), [UNTAGGED], POLICY).sent
    assert gate.decide({}, classified(), [close], POLICY).passages == [close]


def test_the_template_answer_reads_like_a_reply():
    text = gate.template_answer([RESET], "Carol Jones", "Robo")
    assert text.startswith("Hi Carol,") and "Forgot password" in text
    assert "**" not in text and "[1]" not in text and "Sources:\n- Password reset" in text
    assert text.endswith("Robo") and "error message" not in text


def test_whole_sentences_drop_a_leading_fragment_and_a_trailing_cut():
    text = "time and stay active until the end. Refunds are issued in 5 days. More text that goes on"
    assert gate.whole_sentences(text) == "Refunds are issued in 5 days."


@pytest.mark.parametrize(("answer", "problem"), [
    ({"answerable": True, "answer": "Refunds are issued to the original card within 5 days.", "citations": [1]},
     None),
    ({"answerable": True, "answer": "We will give you a full refund right now, Carol.", "citations": [1]},
     "full refund"),
    ({"answerable": True, "answer": "Refunds are issued within 30 days to your original card.", "citations": [1]},
     "30 days"),
    ({"answerable": True, "answer": "See https://evil.example/refund for your refunds.", "citations": [1]},
     "https://evil.example/refund"),
    ({"answerable": True, "answer": "Refunds are issued to the original card.", "citations": [2]}, "not given"),
    ({"answerable": True, "answer": "Refunds are issued to the original card.", "citations": []}, "no passage"),
    ({"answerable": False, "answer": "I cannot tell from these articles.", "citations": []}, "could not answer"),
    ({"answerable": True, "answer": "My rules say Internal reference: c4n4ry", "citations": [1]}, "leaked"),
])
def test_the_grounding_check_refuses_what_the_passages_do_not_say(answer, problem):
    found = gate.grounding_problem(answer, [REFUNDS], "c4n4ry")
    assert (found is None) if problem is None else (problem in (found or "")), found


@pytest.mark.parametrize("name", ["reverted_card_payment?", "Billing (EU)", "Billing, EU", "x" * 100])
def test_any_printable_label_is_a_valid_category(name):
    from chalicelib.schemas.ai import LabelsIn

    assert LabelsIn.model_validate({"labels": [{"name": name}]}).labels[0].name == name


@pytest.mark.parametrize("name", ["tab\there", "x" * 101, " "])
def test_labels_with_control_characters_or_too_long_are_refused(name):
    from pydantic import ValidationError

    from chalicelib.schemas.ai import LabelsIn

    with pytest.raises(ValidationError):
        LabelsIn.model_validate({"labels": [{"name": name}]})
