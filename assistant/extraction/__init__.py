"""Free text to a grounded profile: the extractor port, the offline rules with their lexicons, the LLM
and hybrid extractors."""

from assistant.extraction.port import Extraction, Extractor

__all__ = ["Extraction", "Extractor"]
