"""The straightforward ranking: one volunteer at a time, through the rules and features as written.

It is slow and kept on purpose: the tests hold the vectorised :func:`.ranking.rank` to
exactly the same eligible volunteers, scores and order, and the benchmark measures how
much faster the vectorised one is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

import numpy as np

from .explain import explain_candidate
from .features import FEATURE_NAMES, pair_features
from .model import TrainedModel
from .pool import VolunteerPool
from .profiles import RequestProfile, VolunteerProfile
from .results import Exclusion, RankingResult
from .rules import RULES, PairAssessment, assess_pair
from .wording import Labels


def rank_reference(
    request: RequestProfile,
    volunteers: VolunteerPool | Iterable[VolunteerProfile],
    model: TrainedModel,
    today: date,
    k: int | None = 10,
    *,
    explain_exclusions: bool = False,
    labels: Labels | None = None,
) -> RankingResult:
    """Rank like :func:`.ranking.rank`, checking each volunteer in turn."""
    people = volunteers.volunteers if isinstance(volunteers, VolunteerPool) else tuple(volunteers)
    # The organisation's own volunteers and every network-wide one; nobody else can ever be offered it.
    people = tuple(v for v in people if v.organisation_id == request.organisation_id or v.network_wide)
    eligible: list[tuple[VolunteerProfile, PairAssessment, tuple[float, ...]]] = []
    excluded: list[Exclusion] = []
    for volunteer in people:
        assessment = assess_pair(request, volunteer, today, labels=labels)
        if assessment.failures:
            excluded.append(Exclusion(volunteer.id, assessment.failures))
        else:
            eligible.append((volunteer, assessment, pair_features(request, volunteer, today, assessment)))
    rows = np.asarray([features for _, _, features in eligible], dtype=np.float64).reshape(-1, len(FEATURE_NAMES))
    scores = model.score(rows).tolist()
    order = sorted(range(len(eligible)), key=lambda i: (-scores[i], eligible[i][0].id))
    if k is not None:
        order = order[: max(k, 0)]
    ranked = tuple(
        explain_candidate(
            request,
            eligible[i][0],
            today,
            features=eligible[i][2],
            score=scores[i],
            model=model,
            support_modes=eligible[i][1].support_modes,
            distance_km=eligible[i][1].distance_km,
            same_area=eligible[i][1].same_area,
            labels=labels,
        )
        for i in order
    )
    counts = Counter(failure.rule for exclusion in excluded for failure in exclusion.reasons)
    return RankingResult(
        eligible=ranked,
        excluded=tuple(sorted(excluded, key=lambda e: e.volunteer_id)) if explain_exclusions else (),
        eligible_count=len(eligible),
        considered_count=len(people),
        model_version=model.version,
        excluded_ids=tuple(sorted(e.volunteer_id for e in excluded)),
        failure_counts=tuple((rule, counts[rule]) for rule in RULES if counts[rule]),
    )
