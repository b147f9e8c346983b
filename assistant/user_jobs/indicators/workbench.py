"""IndicatorWorkbench: the one object the API, the CLI and the tests call for the three indicator jobs."""

from __future__ import annotations

from assistant.library.document_source import DocumentSource
from assistant.search.service import SearchService
from assistant.user_jobs.indicators.classify import MarkingSuggestion, Objective, classify
from assistant.user_jobs.indicators.criteria import WorkbenchData, load
from assistant.user_jobs.indicators.draft import DraftSet, draft
from assistant.user_jobs.indicators.guidance import GuidanceCitation, GuidanceLocator
from assistant.user_jobs.indicators.review import IndicatorReview, Rules, review
from index.analyzer import BM25Analyzer


class IndicatorWorkbench:
    """Created once per process over the services' search, indexer and analyzer; the data file is read once."""

    def __init__(
        self, search: SearchService, documents: DocumentSource, analyzer: BM25Analyzer,
        data: WorkbenchData | None = None,
    ) -> None:
        self.data = data or load()
        self.rules = Rules(self.data.patterns)
        self.locator = GuidanceLocator(documents)
        self.search = search
        self.analyzer = analyzer

    def review(self, indicator: str, objective: str = "", language: str | None = None) -> IndicatorReview:
        """Each criterion's verdict (pass, fail, to check) on the indicator, with the passages it rests on."""
        return review(self.data, self.rules, self.locator, indicator, objective, language)

    def draft(self, description: str, language: str | None = None) -> DraftSet:
        """Draft indicators for a programme description, fields filled from it or left to complete."""
        return draft(self.data, self.rules, self.locator, self.search, self.analyzer, description, language)

    def classify(self, objective: Objective, specific_target_group: bool, activity_share: float,
                 language: str = "fr") -> MarkingSuggestion:
        """A suggested marking code (never official) from the answers to the marking questions."""
        return classify(self.data, self.locator, objective, specific_target_group, activity_share, language)

    def sources(self) -> list[GuidanceCitation]:
        """Every passage the data file cites, checked against the index (`verified` false: the page lacks it)."""
        return [self.locator.cite(ref) for ref in self.data.source_refs()]
