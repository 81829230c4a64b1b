"""Recommended priority and tags for a ticket: documented rules over the text and the category.

Priority: start from the category's default (urgent for security/outage-like categories, low for
feedback-like ones, else medium), then raise it for urgency and impact words ("outage", "down",
"cannot log in", "data loss", "asap", "urgent"), repeated exclamation marks or shouting, and lower it for
questions that state no problem ("how do I", "is it possible"). Never more than one step below the
category default, and "urgent" only with an impact word.
Tags: the category slug plus up to three keywords from a fixed vocabulary found in the text.
"""

from __future__ import annotations

import re

PRIORITIES = ("low", "medium", "high", "urgent")

_IMPACT = re.compile(
    r"\b(outage|down|offline|not working|doesn'?t work|can'?t (?:log ?in|sign ?in|access)|cannot (?:log ?in|"
    r"sign ?in|access)|locked out|data loss|lost (?:all|my) data|security|breach|hacked|fraud|unauthori[sz]ed|"
    r"charged twice|double charged|production|everyone|all users|urgent(?:ly)?|emergency)\b", re.I)
_URGENCY = re.compile(r"\b(asap|immediately|right now|as soon as possible|urgent(?:ly)?|critical|deadline|today)\b",
                      re.I)
_MILD = re.compile(r"\b(how (?:do|can) i|is it possible|just wondering|question|feedback|suggestion|"
                   r"would be nice|feature request)\b", re.I)
_HIGH_CATEGORIES = re.compile(r"security|fraud|outage|incident|compromis|stolen|lost|declined|payment", re.I)
_LOW_CATEGORIES = re.compile(r"feedback|review|newsletter|suggestion|question|information|how.?to", re.I)

KEYWORDS = {
    "login": r"log ?in|sign ?in|password|2fa|two.factor|locked out",
    "billing": r"invoice|bill|charge|refund|payment|card|subscription|price",
    "shipping": r"deliver|shipping|shipment|parcel|package|tracking|courier",
    "account": r"account|profile|e-?mail address|username",
    "bug": r"error|bug|crash|broken|doesn'?t work|not working|fails?",
    "security": r"hack|breach|fraud|phishing|stolen|suspicious|unauthori[sz]ed",
    "outage": r"outage|down|offline|unavailable",
    "mobile": r"\bapp\b|android|iphone|ios|mobile",
    "integration": r"\bapi\b|webhook|integration|zapier|sso|saml",
    "data": r"export|import|csv|backup|data loss",
}
_KEYWORD_PATTERNS = {tag: re.compile(pattern, re.I) for tag, pattern in KEYWORDS.items()}


def _category_default(category: str | None) -> int:
    if category and _HIGH_CATEGORIES.search(category):
        return 2
    if category and _LOW_CATEGORIES.search(category):
        return 0
    return 1


def recommend_priority(text: str, category: str | None) -> str:
    """One of low/medium/high/urgent, by the rules in this module's docstring."""
    base = _category_default(category)
    score = base
    impact = len(_IMPACT.findall(text))
    urgency = len(_URGENCY.findall(text))
    letters = [c for c in text if c.isalpha()]
    shouting = len(letters) > 20 and sum(c.isupper() for c in letters) / len(letters) > 0.6
    if impact:
        score += 1
    if urgency or text.count("!") >= 2 or shouting:
        score += 1
    if not impact and not urgency and _MILD.search(text):
        score -= 1
    score = max(base - 1, min(score, 3))
    if score == 3 and not impact:
        score = 2
    return PRIORITIES[max(0, score)]


def slug(label: str) -> str:
    """A tag-safe form of a category name."""
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:40] or "other"


def recommend_tags(text: str, category: str | None, limit: int = 3) -> list[str]:
    """The category slug plus up to `limit` vocabulary keywords found in the text, in vocabulary order."""
    tags = [slug(category)] if category else []
    for tag, pattern in _KEYWORD_PATTERNS.items():
        if len(tags) >= limit + (1 if category else 0):
            break
        if tag not in tags and pattern.search(text):
            tags.append(tag)
    return tags
