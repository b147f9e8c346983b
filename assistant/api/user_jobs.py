"""The services behind the users' jobs (indicator workbench, delegation brief, export), built with the others.

They live beside `Services` rather than in it so that the three jobs stay one add-on: `create_app` builds them
once in its lifespan over the same services, and these aliases hand them to the routes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from assistant.library.document_source import DocumentSource
from assistant.services import Services
from assistant.user_jobs.brief import BriefService
from assistant.user_jobs.figures import FiguresService
from assistant.user_jobs.indicators.workbench import IndicatorWorkbench
from assistant.user_jobs.research import Research


@dataclass
class UserJobs:
    indicators: IndicatorWorkbench
    briefs: BriefService
    documents: DocumentSource  # the catalogue the export reads
    research: Research  # facets and similar documents
    figures: FiguresService


def build_user_jobs(services: Services) -> UserJobs:
    return UserJobs(indicators=IndicatorWorkbench(services.search, services.indexer, services.analyzer), briefs=BriefService(services.search),
                    documents=services.indexer,
                    research=Research(services.search, services.indexer, services.settings.collection),
                    figures=FiguresService(services.search, services.analyzer))


def _user_jobs(request: Request) -> UserJobs:
    return request.app.state.user_jobs  # type: ignore[no-any-return]


def _indicators(request: Request) -> IndicatorWorkbench:
    return _user_jobs(request).indicators


def _briefs(request: Request) -> BriefService:
    return _user_jobs(request).briefs


def _documents(request: Request) -> DocumentSource:
    return _user_jobs(request).documents


def _research(request: Request) -> Research:
    return _user_jobs(request).research


def _figures(request: Request) -> FiguresService:
    return _user_jobs(request).figures


IndicatorsDep = Annotated[IndicatorWorkbench, Depends(_indicators)]
BriefsDep = Annotated[BriefService, Depends(_briefs)]
DocumentsDep = Annotated[DocumentSource, Depends(_documents)]
ResearchDep = Annotated[Research, Depends(_research)]
FiguresDep = Annotated[FiguresService, Depends(_figures)]
