"""Predictive score: the chance that an account opens an opportunity in the next 90 days
(DOMAIN.md §1.4), learned from the workspace's own history.

The scoring service builds the training frame: one row per (account, monthly snapshot) with
features computed as of that snapshot, leaving out accounts that were customers or had an open
opportunity then, and `label` = 1 if an opportunity was created in (snapshot, snapshot + 90 d].
Only snapshots whose 90-day window has already closed belong in it: a 0 whose window is still
open is not known yet.

    gate      ≥ 50 distinct positive accounts and ≥ 200 never-positive ones, else "insufficient"
    validate  cutoff = last snapshot − validation_days; fit on rows with snapshot + 90 d ≤ cutoff,
              check on rows with snapshot > cutoff; no usable check or ROC AUC < 0.55 → "rejected"
    final     refit on every row; what is reported are the validation metrics
    model     impute + scale | one-hot → logistic regression (balanced classes), Platt-calibrated
              on out-of-fold decision values, folds by account
    explain   cⱼ = a·Σₖ βₖ·(xₖ − x̄ₖ) over the encoded columns k of feature j, where a is the slope
              of the calibration: the cⱼ of a row add up to logit(p) − logit(p at the means)

Pure: numpy, pandas, scikit-learn and joblib only; no Django.
"""
from __future__ import annotations

import io
import math
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import joblib
import numpy as np
import pandas as pd
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC_FEATURES: tuple[str, ...] = (
    "fit", "log_employees", "log_revenue",
    "intent_max", "intent_topics_surging", "intent_weeks_surging_12",
    "eng_web", "eng_email", "eng_ads", "eng_content", "eng_events", "eng_meetings", "eng_calls",
    "breadth_30", "breadth_90", "senior_engaged_90", "high_value_30",
    "coverage", "decision_maker_known",
    "trigger_funding_90", "trigger_leadership_90", "trigger_acquisition_90", "trigger_expansion_90",
)
CATEGORICAL_FEATURES: tuple[str, ...] = ("industry", "region")
FEATURES: tuple[str, ...] = NUMERIC_FEATURES + CATEGORICAL_FEATURES

FEATURE_LABELS: dict[str, str] = {
    "fit": "ICP fit",
    "log_employees": "company size (employees)",
    "log_revenue": "company revenue",
    "intent_max": "highest intent topic score",
    "intent_topics_surging": "intent topics surging",
    "intent_weeks_surging_12": "weeks surging in the last 12",
    "eng_web": "website engagement",
    "eng_email": "email engagement",
    "eng_ads": "ad engagement",
    "eng_content": "content engagement",
    "eng_events": "event and webinar engagement",
    "eng_meetings": "meetings",
    "eng_calls": "calls",
    "breadth_30": "people engaged in the last 30 days",
    "breadth_90": "people engaged in the last 90 days",
    "senior_engaged_90": "C-level and VP people engaged in the last 90 days",
    "high_value_30": "pricing and demo page visits in the last 30 days",
    "coverage": "buying group coverage",
    "decision_maker_known": "decision maker known",
    "trigger_funding_90": "funding round in the last 90 days",
    "trigger_leadership_90": "leadership change in the last 90 days",
    "trigger_acquisition_90": "acquisition in the last 90 days",
    "trigger_expansion_90": "expansion in the last 90 days",
    "industry": "industry",
    "region": "region",
}

MIN_POSITIVE_ACCOUNTS = 50        # Demandbase Pipeline Predict asks for ≥ 50 (DOMAIN.md §1.4)
MIN_NEGATIVE_ACCOUNTS = 200
MIN_VALIDATION_AUC = 0.55
LABEL_HORIZON_DAYS = 90           # a row's label looks this far past its snapshot
MIN_SPLIT_POSITIVE_ACCOUNTS = 10  # positive accounts needed before the cutoff to fit the candidate
CALIBRATION_FOLDS = 3
MIN_CATEGORY_ROWS = 20            # rarer industries/regions share one "infrequent" column
REFERENCE_QUANTILES = 1001        # resolution of the percentile reference (0.1 %)
UNKNOWN_CATEGORY = "unknown"
_NEGLIGIBLE = 1e-9                # contributions smaller than this are not reasons


@dataclass
class TrainingResult:
    status: str            # "active" | "insufficient" | "rejected"
    message: str           # plain words for the UI
    positives: int         # distinct accounts with a positive row
    negatives: int         # distinct accounts never positive
    rows: int
    metrics: dict          # JSON-serialisable validation metrics (empty when the gate fails)
    model: "PredictiveModel | None" = None


@dataclass
class PredictiveModel:
    """A fitted calibrated classifier plus what percentile() and explain() need besides it."""
    classifier: CalibratedClassifierCV
    reference: np.ndarray        # quantiles of the training rows' calibrated p
    column_means: np.ndarray     # mean of every encoded column over the training rows
    column_weights: np.ndarray   # calibrated log-odds per unit of every encoded column (a·β)
    column_features: np.ndarray  # index into FEATURES of the feature each encoded column encodes
    trained_rows: int
    sklearn_version: str

    @property
    def pipeline(self) -> Pipeline:
        # ensemble=False: one pipeline fitted on every row, one sigmoid on top of it
        return self.classifier.calibrated_classifiers_[0].estimator


@dataclass(frozen=True)
class TimeSplit:
    train: np.ndarray        # bool per row: label window closed on or before the cutoff
    validation: np.ndarray   # bool per row: snapshot after the cutoff
    cutoff: pd.Timestamp


def time_split(snapshot_dates, *, validation_days: int = 90) -> TimeSplit:
    """Split rows in time so that no training label can see into the validation period.

    A training row's label covers (snapshot, snapshot + 90 d], so training rows need
    snapshot + 90 d ≤ cutoff; validation rows have snapshot > cutoff. Rows in between are
    left out of the check: their labels would tell the model about opportunities created in
    the validation period, the same opportunities (same accounts) it is then judged on."""
    if validation_days <= 0:
        raise ValueError("validation_days must be positive")
    dates = _as_timestamps(snapshot_dates)
    if len(dates) == 0:
        raise ValueError("no snapshots to split")
    cutoff = dates.max() - pd.Timedelta(days=validation_days)
    train = (dates + pd.Timedelta(days=LABEL_HORIZON_DAYS) <= cutoff).to_numpy()
    validation = (dates > cutoff).to_numpy()
    return TimeSplit(train=train, validation=validation, cutoff=cutoff)


def train(frame: pd.DataFrame, *, validation_days: int = 90, random_state: int = 0) -> TrainingResult:
    """Gate, validate on later snapshots, then refit on every row (see the module docstring)."""
    rows = len(frame)
    labels = _labels(frame)
    accounts = frame["account_id"].to_numpy() if rows else np.empty(0, dtype=object)
    positives, negatives = _account_counts(accounts, labels)
    dates = _as_timestamps(frame["snapshot_date"]) if rows else pd.Series([], dtype="datetime64[ns]")
    shortfall = _gate_shortfall(positives, negatives, dates.dt.to_period("M").nunique())
    if shortfall:
        return TrainingResult("insufficient", shortfall, positives, negatives, rows, {}, None)

    def rejected(message: str) -> TrainingResult:
        return TrainingResult("rejected", message, positives, negatives, rows, metrics, None)

    features = _features(frame)
    split = time_split(dates, validation_days=validation_days)
    train_positive_accounts, _ = _account_counts(accounts[split.train], labels[split.train])
    metrics: dict = {
        "cutoff": split.cutoff.date().isoformat(),
        "train_rows": int(split.train.sum()),
        "validation_rows": int(split.validation.sum()),
        "validation_positives": int(labels[split.validation].sum()),
        "n_features": len(FEATURES),
    }
    train_until = (split.cutoff - pd.Timedelta(days=LABEL_HORIZON_DAYS)).date().isoformat()
    if train_positive_accounts < MIN_SPLIT_POSITIVE_ACCOUNTS or labels[split.train].min(initial=1) == 1:
        return rejected(
            f"Cannot check the model: only {train_positive_accounts} accounts opened an opportunity "
            f"in the snapshots up to {train_until}; {MIN_SPLIT_POSITIVE_ACCOUNTS} are needed.")
    held_out = labels[split.validation]
    if held_out.size == 0 or held_out.min() == held_out.max():
        what = "none" if held_out.sum() == 0 else "all"
        return rejected(
            f"Cannot check the model: in the {held_out.size} snapshots after {metrics['cutoff']} "
            f"{what} of the accounts opened an opportunity.")

    candidate = _fit(features[split.train], labels[split.train], accounts[split.train], random_state)
    metrics.update(_validation_metrics(held_out, _predict_features(candidate, features[split.validation])))
    metrics["validation_positive_accounts"] = _account_counts(accounts[split.validation], held_out)[0]
    auc = metrics["roc_auc"]
    if auc < MIN_VALIDATION_AUC:
        return rejected(
            f"Not better than chance: ROC AUC {auc:.2f} on {held_out.size} later snapshots; "
            f"{MIN_VALIDATION_AUC:.2f} is needed.")

    model = _fit(features, labels, accounts, random_state)
    metrics["final_rows"] = rows
    metrics["n_encoded_features"] = len(model.column_features)
    return TrainingResult(
        "active", f"Validated: ROC AUC {auc:.2f} on {held_out.size} later snapshots.",
        positives, negatives, rows, metrics, model)


def predict(model: PredictiveModel, frame: pd.DataFrame) -> np.ndarray:
    """Calibrated probability of an opportunity within 90 days, one per row."""
    if len(frame) == 0:
        return np.empty(0)
    return _predict_features(model, _features(frame))


def percentile(model: PredictiveModel, probabilities: np.ndarray) -> np.ndarray:
    """0–100: mid-rank of each p among the training rows' p, so separately scored chunks agree."""
    p = np.asarray(probabilities, dtype=float).ravel()
    reference = model.reference
    below = np.searchsorted(reference, p, side="left")
    at_or_below = np.searchsorted(reference, p, side="right")
    rank = (below + at_or_below) / (2 * len(reference))
    return np.clip(np.rint(100 * rank), 0, 100).astype(int)


def explain(model: PredictiveModel, frame: pd.DataFrame, top: int = 3) -> list[list[tuple[str, float]]]:
    """Per row the `top` largest positive and `top` largest negative contributions in calibrated
    log-odds, as (readable label, contribution), largest |contribution| first."""
    if len(frame) == 0:
        return []
    features = _features(frame)
    with _quiet_unknown_categories():
        encoded = model.pipeline.named_steps["columns"].transform(features)
    per_column = (encoded - model.column_means) * model.column_weights
    per_feature = per_column @ _feature_matrix(model.column_features)
    category_values = {name: features[name].to_numpy() for name in CATEGORICAL_FEATURES}
    explanations = []
    for row, contributions in enumerate(per_feature):
        order = np.argsort(-contributions, kind="stable")
        ups = [j for j in order[:top] if contributions[j] > _NEGLIGIBLE]
        downs = [j for j in order[::-1][:top] if contributions[j] < -_NEGLIGIBLE]
        chosen = sorted(ups + downs, key=lambda j: -abs(contributions[j]))
        explanations.append([(_reason_label(j, category_values, row), float(contributions[j])) for j in chosen])
    return explanations


def dumps(model: PredictiveModel) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    return buffer.getvalue()


def loads(data: bytes) -> PredictiveModel:
    """Unpickles: only ever pass bytes this module produced and the platform stored."""
    return joblib.load(io.BytesIO(data))


# --- fitting -----------------------------------------------------------------------------

def _fit(features: pd.DataFrame, labels: np.ndarray, accounts: np.ndarray, random_state: int) -> PredictiveModel:
    # Folds by account, so the sigmoid is fitted on accounts the model has not seen; split
    # separately for positive and never-positive accounts so every fold has both classes.
    folds = _account_folds(accounts, labels, random_state)
    min_frequency = max(MIN_CATEGORY_ROWS, len(features) // 100)
    classifier = CalibratedClassifierCV(_pipeline(min_frequency), method="sigmoid", cv=folds, ensemble=False)
    with _quiet_unknown_categories():
        classifier.fit(features, labels)
    classifier.set_params(cv=CALIBRATION_FOLDS)   # the fitted model does not need the fold indices
    pipeline = classifier.calibrated_classifiers_[0].estimator
    columns, logistic = pipeline.named_steps["columns"], pipeline.named_steps["model"]
    encoded = columns.transform(features)
    p = classifier.predict_proba(features)[:, 1]
    slope = _calibration_slope(logistic.decision_function(encoded), p)
    return PredictiveModel(
        classifier=classifier,
        reference=np.quantile(p, np.linspace(0, 1, REFERENCE_QUANTILES)),
        column_means=encoded.mean(axis=0),
        column_weights=slope * logistic.coef_[0],
        column_features=_column_features(columns),
        trained_rows=len(features),
        sklearn_version=sklearn.__version__,
    )


def _pipeline(min_frequency: int) -> Pipeline:
    numeric = Pipeline([
        # keep_empty_features: an all-empty column becomes a constant 0 instead of vanishing,
        # so the encoded columns do not depend on which columns happen to be empty
        ("impute", SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True)),
        ("scale", StandardScaler()),
    ])
    categorical = OneHotEncoder(
        handle_unknown="infrequent_if_exist", min_frequency=min_frequency, sparse_output=False)
    columns = ColumnTransformer([
        ("numeric", numeric, list(NUMERIC_FEATURES)),
        ("categorical", categorical, list(CATEGORICAL_FEATURES)),
    ])
    return Pipeline([
        ("columns", columns),
        ("model", LogisticRegression(class_weight="balanced", max_iter=1000)),
    ])


def _account_folds(accounts: np.ndarray, labels: np.ndarray, random_state: int) -> list[tuple[np.ndarray, np.ndarray]]:
    ever_positive = pd.Series(labels).groupby(accounts, sort=False).max()
    rng = np.random.default_rng(random_state)
    fold_of_account = []
    for flag in (1, 0):
        ids = ever_positive.index[ever_positive.to_numpy() == flag]
        shuffled = ids[rng.permutation(len(ids))]
        fold_of_account.append(pd.Series(np.arange(len(ids)) % CALIBRATION_FOLDS, index=shuffled))
    fold = pd.Series(accounts).map(pd.concat(fold_of_account)).to_numpy()
    return [(np.flatnonzero(fold != k), np.flatnonzero(fold == k)) for k in range(CALIBRATION_FOLDS)]


def _calibration_slope(decision: np.ndarray, p: np.ndarray) -> float:
    """Slope a of logit(p) = a·decision + b (exact for a sigmoid calibrator), read off the fitted
    model's own outputs rather than the calibrator's private attributes."""
    inside = (p > 1e-9) & (p < 1 - 1e-9)
    if inside.sum() < 2 or np.ptp(decision[inside]) == 0:
        return 1.0
    logit = np.log(p[inside]) - np.log1p(-p[inside])
    return float(np.polyfit(decision[inside], logit, 1)[0])


def _column_features(columns: ColumnTransformer) -> np.ndarray:
    """For each encoded column, the index in FEATURES of the feature it came from."""
    index = {name: i for i, name in enumerate(FEATURES)}
    owners = []
    for encoded_name in columns.get_feature_names_out():
        block, _, name = encoded_name.partition("__")
        if block == "numeric":
            owners.append(index[name.removeprefix("missingindicator_")])
        else:
            owners.append(next(index[f] for f in CATEGORICAL_FEATURES if name.startswith(f"{f}_")))
    return np.array(owners, dtype=int)


def _feature_matrix(column_features: np.ndarray) -> np.ndarray:
    matrix = np.zeros((len(column_features), len(FEATURES)))
    matrix[np.arange(len(column_features)), column_features] = 1.0
    return matrix


def _validation_metrics(labels: np.ndarray, p: np.ndarray) -> dict:
    base_rate = float(labels.mean())
    by_p = np.argsort(-p, kind="stable")
    top_decile = labels[by_p[:max(1, math.ceil(0.1 * len(p)))]]
    bins = np.array_split(by_p[::-1], min(10, len(p)))   # equal-count bins, lowest p first
    return {
        "roc_auc": float(roc_auc_score(labels, p)),
        "pr_auc": float(average_precision_score(labels, p)),
        "brier": float(brier_score_loss(labels, p)),
        "base_rate": base_rate,
        "top_decile_lift": float(top_decile.mean() / base_rate),
        "calibration": [
            {"predicted": float(p[b].mean()), "observed": float(labels[b].mean()), "count": int(len(b))}
            for b in bins if len(b)
        ],
    }


# --- input ---------------------------------------------------------------------------------

def _predict_features(model: PredictiveModel, features: pd.DataFrame) -> np.ndarray:
    with _quiet_unknown_categories():
        return model.classifier.predict_proba(features)[:, 1]


def _features(frame: pd.DataFrame) -> pd.DataFrame:
    """The feature columns, numbers as floats (NaN when missing), categories as clean strings."""
    missing = [name for name in FEATURES if name not in frame.columns]
    if missing:
        raise ValueError(f"frame lacks feature columns: {', '.join(missing)}")
    numeric = frame.loc[:, list(NUMERIC_FEATURES)].apply(pd.to_numeric, errors="coerce").astype(float)
    numeric = numeric.replace([np.inf, -np.inf], np.nan)
    categorical = frame.loc[:, list(CATEGORICAL_FEATURES)].apply(_clean_category)
    return pd.concat([numeric, categorical], axis=1)


def _clean_category(values: pd.Series) -> pd.Series:
    text = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    return text.where(text != "", UNKNOWN_CATEGORY)


def _labels(frame: pd.DataFrame) -> np.ndarray:
    if "label" not in frame.columns:
        raise ValueError("frame lacks the label column")
    labels = pd.to_numeric(frame["label"], errors="coerce").to_numpy(dtype=float)
    if not np.isin(labels, (0, 1)).all():
        raise ValueError("label must be 0 or 1 on every row")
    return labels.astype(int)


def _as_timestamps(values) -> pd.Series:
    dates = pd.Series(pd.to_datetime(pd.Series(values).to_numpy()))
    if dates.dt.tz is not None:
        dates = dates.dt.tz_convert(None)
    return dates.reset_index(drop=True)


def _account_counts(accounts: np.ndarray, labels: np.ndarray) -> tuple[int, int]:
    """(accounts with a positive row, accounts never positive)."""
    if len(labels) == 0:
        return 0, 0
    ever_positive = pd.Series(labels).groupby(accounts, sort=False).max()
    positives = int(ever_positive.sum())
    return positives, int(len(ever_positive) - positives)


def _gate_shortfall(positives: int, negatives: int, months: int) -> str:
    problems = []
    if positives < MIN_POSITIVE_ACCOUNTS:
        problems.append(f"Only {positives} accounts opened an opportunity over {months} months of "
                        f"snapshots; {MIN_POSITIVE_ACCOUNTS} are needed.")
    if negatives < MIN_NEGATIVE_ACCOUNTS:
        problems.append(f"Only {negatives} accounts never opened one; {MIN_NEGATIVE_ACCOUNTS} are needed.")
    return " ".join(problems)


def _reason_label(feature: int, category_values: dict[str, np.ndarray], row: int) -> str:
    name = FEATURES[feature]
    if name in category_values:
        return f"{FEATURE_LABELS[name]}: {category_values[name][row]}"
    return FEATURE_LABELS[name]


@contextmanager
def _quiet_unknown_categories() -> Iterator[None]:
    # An industry the model never saw is expected at scoring time, not worth a warning per call.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*unknown categor.*", category=UserWarning)
        yield
