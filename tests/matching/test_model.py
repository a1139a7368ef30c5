"""The scoring model: sensible defaults first, then weights learnt from what organisers and advocates decided."""

import json
from datetime import UTC, datetime

import numpy as np
import pytest

from peermatch.matching import (
    DEFAULT_WEIGHTS,
    FEATURE_NAMES,
    NotEnoughHistory,
    TrainedModel,
    TrainingExample,
    default_model,
    evaluate,
    label_from_history,
    precision_at_k,
    split_by_time,
    train,
)
from peermatch.matching.synthetic import synthetic_history

NOW = datetime(2026, 8, 3, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def history():
    return synthetic_history(600, seed=11)


@pytest.fixture(scope="module")
def trained(history):
    return train(history, now=NOW)


def test_the_default_model_rewards_every_feature_and_lived_experience_most():
    model = default_model()

    assert model.feature_names == FEATURE_NAMES
    assert all(w > 0 for w in model.weights)
    assert max(DEFAULT_WEIGHTS, key=DEFAULT_WEIGHTS.get) == "lived_experience"
    strong, weak = model.score_one([1.0] * 7), model.score_one([0.0] * 7)
    assert 0 < weak < 0.5 < strong < 1


def test_a_model_is_stored_as_json_and_comes_back_the_same(trained):
    stored = json.loads(json.dumps(trained.to_dict()))

    assert TrainedModel.from_dict(stored) == trained
    assert TrainedModel.from_dict(stored).metrics == trained.metrics
    assert TrainedModel.from_dict(default_model().to_dict()) == default_model()


def test_a_stored_model_for_other_features_is_refused():
    stored = default_model().to_dict()
    stored["feature_names"] = [*FEATURE_NAMES[:-1], "star_sign"]

    with pytest.raises(ValueError, match="star_sign"):
        TrainedModel.from_dict(stored)
    with pytest.raises(ValueError, match="format"):
        TrainedModel.from_dict({**default_model().to_dict(), "format": "pickle"})


@pytest.mark.parametrize(
    "history, label",
    [
        ({"ended_well": True, "offer_response": "accepted"}, 1),
        ({"ended_well": False, "offer_response": "accepted"}, 0),
        ({"offer_response": "accepted", "organiser_approved": True}, 1),
        ({"offer_response": "declined"}, 0),
        ({"offer_response": "lapsed"}, 0),
        ({"organiser_approved": False}, 0),
        ({"organiser_approved": True}, None),
        ({}, None),
    ],
)
def test_history_becomes_labels_the_latest_fact_winning(history, label):
    assert label_from_history(**history) == label


def test_an_unknown_offer_response_is_an_error_not_a_silent_label():
    with pytest.raises(ValueError, match="maybe"):
        label_from_history(offer_response="maybe")


def test_training_is_refused_until_there_is_enough_history():
    with pytest.raises(NotEnoughHistory, match="Only 60 decided offers so far; training needs at least 200"):
        train(synthetic_history(10))


def test_training_is_refused_when_almost_every_offer_went_the_same_way(history):
    all_accepted = [TrainingExample(e.request_id, e.features, 1, e.at) for e in history]

    with pytest.raises(NotEnoughHistory, match="at least 20 of each"):
        train(all_accepted)


def test_the_model_is_tested_on_requests_later_than_it_learnt_from(history):
    earlier, later = split_by_time(history, 0.25)

    assert len(later) == pytest.approx(len(history) / 4, abs=6)
    assert max(e.at for e in earlier) < min(e.at for e in later)
    assert not {e.request_id for e in earlier} & {e.request_id for e in later}


def test_training_reports_how_it_did_against_the_defaults_and_a_challenger(trained, history):
    m = trained.metrics

    assert trained.version == "trained-20260803-090000"
    assert trained.trained_at == NOW and trained.n_examples == len(history)
    assert m["n_train_held_out"] + m["n_test"] == len(history)
    for key in ("auc", "default_auc", "challenger_auc", "precision_at_3", "default_precision_at_3"):
        assert 0 <= m[key] <= 1
    assert m["challenger"] == "hist_gradient_boosting"
    assert isinstance(m["challenger_wins_clearly"], bool)
    # The made-up history rewards availability far more than the defaults do: training should notice.
    assert m["auc"] > m["default_auc"]
    assert trained.weights[FEATURE_NAMES.index("availability")] > DEFAULT_WEIGHTS["availability"]


def test_evaluate_gives_auc_and_precision_at_3(trained, history):
    result = evaluate(trained, history)

    assert set(result) == {"auc", "precision_at_3", "n_examples", "n_requests"}
    assert result["n_requests"] == 600 and result["auc"] > 0.6


def test_precision_at_3_counts_positives_among_each_requests_top_three():
    scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
    labels = [1, 0, 1, 1, 0, 1]
    requests = ["a", "a", "a", "a", "b", "b"]

    # Request a: top three hold 2 positives; request b: its two hold 1.
    assert precision_at_k(scores, labels, requests) == pytest.approx(3 / 5)


def test_scores_are_the_logistic_of_the_weighted_features():
    model = default_model()
    x = np.array([[0.5, 1.0, 0.25, 0.5, 1.0, 0.0, 1.0]])

    expected = 1 / (1 + np.exp(-(model.intercept + np.dot(model.weights, x[0]))))

    assert model.score(x)[0] == pytest.approx(expected)
