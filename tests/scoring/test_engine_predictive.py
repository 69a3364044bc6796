"""The predictive engine on synthetic histories: pure, no database.

`history()` plants a signal: in the month before an account opens an opportunity its top intent
score and the number of people engaged rise. `signal=0` gives the same data with no signal."""
import json
import warnings

import numpy as np
import pandas as pd
import pytest

from scoring.engine import predictive
from scoring.engine.predictive import (
    FEATURE_LABELS, FEATURES, LABEL_HORIZON_DAYS, MIN_NEGATIVE_ACCOUNTS, MIN_POSITIVE_ACCOUNTS,
    MIN_VALIDATION_AUC, dumps, explain, loads, percentile, predict, time_split, train,
)

INDUSTRIES = ["Software", "Manufacturing", "Retail", "Healthcare", "Logistics", "Zither Repair"]
REGIONS = ["EMEA", "NA", "APAC", ""]


def history(*, accounts: int = 600, months: int = 24, signal: float = 1.0, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    snapshots = pd.date_range("2023-01-31", periods=months, freq="ME")
    n = accounts * months
    account_id = np.repeat(np.arange(1, accounts + 1), months)
    snapshot_date = np.tile(snapshots.to_numpy(), accounts)
    rate = np.repeat(rng.beta(1, 24, accounts), months)          # accounts differ; mean 4 % a month
    label = (rng.random(n) < rate).astype(int)
    lift = signal * label
    industry = np.repeat(rng.choice(INDUSTRIES, accounts, p=[.3, .25, .2, .15, .098, .002]), months)
    revenue = rng.normal(16, 2, n)
    revenue[rng.random(n) < 0.3] = np.nan
    return pd.DataFrame({
        "account_id": account_id,
        "snapshot_date": snapshot_date,
        "label": label,
        "fit": rng.uniform(0, 100, n),
        "log_employees": rng.normal(5, 1.5, n),
        "log_revenue": revenue,
        "intent_max": np.clip(rng.normal(45, 12, n) + 16 * lift, 0, 100),
        "intent_topics_surging": rng.poisson(0.5, n),
        "intent_weeks_surging_12": rng.poisson(1, n),
        "eng_web": rng.exponential(5, n),
        "eng_email": rng.exponential(1, n),
        "eng_ads": rng.exponential(0.5, n),
        "eng_content": rng.exponential(3, n),
        "eng_events": rng.exponential(2, n),
        "eng_meetings": rng.exponential(1, n),
        "eng_calls": rng.exponential(0.5, n),
        "breadth_30": rng.poisson(0.5 + 1.0 * lift),
        "breadth_90": rng.poisson(1 + 2.5 * lift),
        "senior_engaged_90": rng.poisson(0.3, n),
        "high_value_30": rng.poisson(0.2, n),
        "coverage": rng.uniform(0, 1, n),
        "decision_maker_known": rng.integers(0, 2, n),
        "trigger_funding_90": (rng.random(n) < 0.05).astype(int),
        "trigger_leadership_90": (rng.random(n) < 0.05).astype(int),
        "trigger_acquisition_90": (rng.random(n) < 0.02).astype(int),
        "trigger_expansion_90": (rng.random(n) < 0.05).astype(int),
        "industry": industry,
        "region": np.repeat(rng.choice(REGIONS, accounts), months),
    })


def with_positive_accounts(frame: pd.DataFrame, positive: int, negative: int) -> pd.DataFrame:
    """Exactly `positive` accounts with one positive row and `negative` accounts with none."""
    ids = frame["account_id"].unique()[:positive + negative]
    frame = frame[frame["account_id"].isin(ids)].copy()
    frame["label"] = 0
    first_rows = frame.groupby("account_id").head(1).index
    frame.loc[first_rows[:positive], "label"] = 1
    return frame


@pytest.fixture(scope="module")
def data():
    return history()


@pytest.fixture(scope="module")
def result(data):
    return train(data)


@pytest.fixture(scope="module")
def validation_rows(data):
    return data[time_split(data["snapshot_date"]).validation]


def test_it_activates_a_model_on_a_planted_signal(result):
    assert result.status == "active", result.message
    assert result.model is not None
    assert result.metrics["roc_auc"] > 0.7
    assert result.metrics["top_decile_lift"] > 1.5
    assert result.message == f"Validated: ROC AUC {result.metrics['roc_auc']:.2f} on {result.metrics['validation_rows']} later snapshots."


def test_it_counts_distinct_accounts_and_rows(data, result):
    ever_positive = data.groupby("account_id")["label"].max()
    assert result.positives == int(ever_positive.sum())
    assert result.negatives == int((ever_positive == 0).sum())
    assert result.rows == len(data)


def test_its_metrics_are_json_and_describe_the_validation(data, result):
    metrics = json.loads(json.dumps(result.metrics))
    split = time_split(data["snapshot_date"])
    assert metrics["cutoff"] == (data["snapshot_date"].max() - pd.Timedelta(days=90)).date().isoformat()
    assert metrics["train_rows"] == split.train.sum()
    assert metrics["validation_rows"] == split.validation.sum()
    assert metrics["validation_positives"] == data.loc[split.validation, "label"].sum()
    assert metrics["n_features"] == len(FEATURES)
    assert 0 < metrics["brier"] < metrics["base_rate"]          # better than an all-zero forecast
    assert 1 <= len(metrics["calibration"]) <= 10
    assert sum(b["count"] for b in metrics["calibration"]) == metrics["validation_rows"]


def test_its_probabilities_are_calibrated_on_later_snapshots(result, validation_rows):
    """A balanced-class logistic regression alone would forecast far above the base rate."""
    bins = result.metrics["calibration"]
    mean_predicted = sum(b["predicted"] * b["count"] for b in bins) / sum(b["count"] for b in bins)
    observed = result.metrics["base_rate"]
    assert abs(mean_predicted - observed) < 0.02
    final = predict(result.model, validation_rows)
    assert abs(final.mean() - validation_rows["label"].mean()) < 0.02
    assert ((final >= 0) & (final <= 1)).all()


def test_it_is_deterministic_for_a_random_state(data, result, validation_rows):
    again = train(data)
    assert again.metrics == result.metrics
    np.testing.assert_array_equal(predict(again.model, validation_rows), predict(result.model, validation_rows))


def test_percentile_is_monotonic_and_independent_of_chunking(result, validation_rows):
    p = np.sort(predict(result.model, validation_rows))
    ranks = percentile(result.model, p)
    assert ranks.dtype.kind == "i"
    assert (np.diff(ranks) >= 0).all()
    assert ranks.min() >= 0 and ranks.max() <= 100
    assert percentile(result.model, np.array([0.0]))[0] == 0
    assert percentile(result.model, np.array([1.0]))[0] == 100
    chunked = np.concatenate([percentile(result.model, p[:100]), percentile(result.model, p[100:])])
    np.testing.assert_array_equal(chunked, ranks)


def test_percentile_puts_the_median_training_row_near_50(data, result):
    p = predict(result.model, data)
    assert abs(int(percentile(result.model, np.array([np.median(p)]))[0]) - 50) <= 2


def test_explain_names_the_planted_feature_for_a_likely_account(result, validation_rows):
    p = predict(result.model, validation_rows)
    likeliest = validation_rows.iloc[[int(np.argmax(p))]]
    [reasons] = explain(result.model, likeliest)
    positive = [label for label, c in reasons if c > 0]
    assert FEATURE_LABELS["intent_max"] in positive
    assert 1 <= len(reasons) <= 6
    assert [abs(c) for _, c in reasons] == sorted((abs(c) for _, c in reasons), reverse=True)


def test_explain_contributions_add_up_to_the_log_odds(result, validation_rows):
    two = validation_rows.iloc[:2]
    p = predict(result.model, two)
    everything = explain(result.model, two, top=len(FEATURES))
    totals = [sum(c for _, c in reasons) for reasons in everything]
    logit = np.log(p / (1 - p))
    assert totals[0] - totals[1] == pytest.approx(logit[0] - logit[1], abs=1e-6)


def test_explain_labels_categories_with_their_value(result, validation_rows):
    row = validation_rows.iloc[[0]].assign(industry="Software")
    [reasons] = explain(result.model, row, top=len(FEATURES))
    labels = {label for label, _ in reasons}
    assert "industry: Software" in labels
    assert labels <= {*FEATURE_LABELS.values(), *(f"industry: {i}" for i in INDUSTRIES),
                      *(f"region: {r or 'unknown'}" for r in REGIONS)}


def test_explain_of_no_rows_is_empty(result, data):
    assert explain(result.model, data.iloc[:0]) == []
    assert predict(result.model, data.iloc[:0]).shape == (0,)


def test_a_single_row_with_unseen_categories_scores_without_warnings(result, validation_rows):
    row = validation_rows.iloc[[0]].assign(industry="Quantum Widgets", region=None, log_revenue=np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = predict(result.model, row)
        reasons = explain(result.model, row)
    assert p.shape == (1,) and 0 < p[0] < 1
    assert len(reasons) == 1


def test_dumps_and_loads_give_identical_predictions(result, validation_rows):
    restored = loads(dumps(result.model))
    np.testing.assert_array_equal(predict(restored, validation_rows), predict(result.model, validation_rows))
    np.testing.assert_array_equal(percentile(restored, np.array([0.01, 0.1, 0.5])),
                                  percentile(result.model, np.array([0.01, 0.1, 0.5])))
    assert explain(restored, validation_rows.iloc[:3]) == explain(result.model, validation_rows.iloc[:3])


def test_it_trains_with_an_empty_column_and_a_constant_column(data):
    frame = data.assign(log_revenue=np.nan, eng_ads=0.0)
    trained = train(frame)
    assert trained.status == "active", trained.message
    row = frame.iloc[[-1]].assign(log_revenue=17.0, eng_ads=12.0)
    [p] = predict(trained.model, row)
    assert 0 < p < 1
    contributions = dict(explain(trained.model, row, top=len(FEATURES))[0])
    assert abs(contributions.get(FEATURE_LABELS["eng_ads"], 0.0)) < 1e-6


def test_too_few_positive_accounts_is_insufficient(data):
    frame = with_positive_accounts(data, MIN_POSITIVE_ACCOUNTS - 1, MIN_NEGATIVE_ACCOUNTS + 100)
    trained = train(frame)
    assert trained.status == "insufficient"
    assert trained.model is None
    assert (trained.positives, trained.negatives) == (49, 300)
    assert "Only 49 accounts opened an opportunity" in trained.message
    assert "50 are needed" in trained.message


def test_too_few_negative_accounts_is_insufficient(data):
    frame = with_positive_accounts(data, MIN_POSITIVE_ACCOUNTS + 10, MIN_NEGATIVE_ACCOUNTS - 1)
    trained = train(frame)
    assert trained.status == "insufficient"
    assert "Only 199 accounts never opened one; 200 are needed." in trained.message


def test_enough_accounts_pass_the_gate(data):
    frame = with_positive_accounts(data, MIN_POSITIVE_ACCOUNTS, MIN_NEGATIVE_ACCOUNTS)
    assert train(frame).status != "insufficient"


def test_an_empty_frame_is_insufficient(data):
    trained = train(data.iloc[:0])
    assert trained.status == "insufficient"
    assert (trained.positives, trained.negatives, trained.rows) == (0, 0, 0)


def test_noise_is_rejected():
    trained = train(history(accounts=1500, months=12, signal=0.0, seed=1))
    assert trained.status == "rejected"
    assert trained.model is None
    assert trained.metrics["roc_auc"] < MIN_VALIDATION_AUC
    assert "Not better than chance" in trained.message


def test_validation_without_positives_is_rejected(data):
    frame = data.copy()
    frame.loc[time_split(frame["snapshot_date"]).validation, "label"] = 0
    trained = train(frame)
    assert trained.status == "rejected"
    assert "none of the accounts opened an opportunity" in trained.message


def test_time_split_keeps_every_training_label_window_before_the_cutoff(data):
    dates = data["snapshot_date"]
    split = time_split(dates, validation_days=90)
    horizon = pd.Timedelta(days=LABEL_HORIZON_DAYS)
    assert split.cutoff == dates.max() - pd.Timedelta(days=90)
    assert (dates[split.train] + horizon <= split.cutoff).all()
    assert (dates[split.validation] > split.cutoff).all()
    assert not (split.train & split.validation).any()
    overlapping = (dates + horizon > split.cutoff) & (dates <= split.cutoff)
    assert overlapping.any()
    assert not split.train[overlapping.to_numpy()].any()
    assert split.train.any() and split.validation.any()


def test_a_signal_only_in_windows_overlapping_validation_cannot_validate_the_model():
    """`eng_calls` gives the label away, but only from the snapshots whose label window reaches
    past the cutoff. Had those rows been trained on, the check would pass on a leak."""
    frame = history(accounts=1500, months=12, signal=0.0, seed=1)
    split = time_split(frame["snapshot_date"])
    late = frame["snapshot_date"] + pd.Timedelta(days=LABEL_HORIZON_DAYS) > split.cutoff
    frame["eng_calls"] = np.where(late, 50.0 * frame["label"], 0.0)
    trained = train(frame)
    assert trained.status == "rejected"
    assert trained.metrics["roc_auc"] < MIN_VALIDATION_AUC


def test_it_accepts_dates_and_tz_aware_timestamps(data):
    dates = data["snapshot_date"]
    as_dates = time_split(dates.dt.date)
    as_utc = time_split(dates.dt.tz_localize("UTC"))
    np.testing.assert_array_equal(as_dates.train, time_split(dates).train)
    np.testing.assert_array_equal(as_utc.validation, time_split(dates).validation)


def test_it_refuses_a_frame_without_the_feature_columns(result, data):
    with pytest.raises(ValueError, match="intent_max"):
        predict(result.model, data.drop(columns="intent_max"))


def test_the_model_is_a_plain_object_of_this_module(result):
    assert isinstance(result.model, predictive.PredictiveModel)
