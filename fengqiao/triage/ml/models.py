"""The two learned models and their calibration.

CategoryModel: title and text -> one of the first-level categories.
    Features: character 1-3-grams of the title (weight 0.7) and of the text, plus jieba-dictionary words
    (2-4 characters) of both, TF-IDF. Classifier: NB-SVM, i.e. one linear SVM per class (class-balanced,
    C=0.5) over the features scaled by their naive-Bayes log-count ratio for that class (smoothing 0.1); the
    scaling is folded into the weights, so scores are X @ weights as before. Confidences: the SVM scores of out-of-fold predictions (5-fold on the training data) are fitted to the labels with a
    multinomial logistic regression (a calibration "matrix scaling"); the final SVM is fitted on all rows.

DispatchModel: street and statement -> handling unit, in two stages.
    1. P(centre): logistic regression on character 1-3-grams, dictionary words and the street (one-hot)
       for "the district operations centre (the catch-all) handles it" against "a bureau does".
    2. P(unit | not the centre): NB-SVM (one linear SVM per unit over log-count-ratio scaled features, as
       for the category) over the same features, trained on the rows a bureau handled; softmax with a
       temperature fitted on out-of-fold scores.
    P(unit) = (1 - P(centre)) * P(unit | not the centre); the centre gets P(centre). The top three of that
    distribution are the proposals. When the statement has no feature the model knows, the centre is the
    fallback.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext_noop
from scipy.optimize import minimize_scalar
from scipy.sparse import csr_matrix
from scipy.special import log_softmax, softmax
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from fengqiao.core.reasons import Reason, reason
from fengqiao.triage.ml.features import FeatureSpace, NgramBlock, OneHotBlock

CENTRE = "龙岗区智慧城市运行中心"  # Longgang's district smart-city operations centre: what no bureau owns


@dataclass(frozen=True)
class Scored:
    label: str
    confidence: float
    evidence: list[Reason]  # quoted words of the text, or messages translated when shown (core.reasons)


def _folds(y: np.ndarray, n_splits: int, seed: int = 0):
    """Stratified folds; classes with fewer rows than folds are spread round-robin (no warning, no error)."""
    counts = {c: n for c, n in zip(*np.unique(y, return_counts=True), strict=True)}
    strat = np.array([c if counts[c] >= n_splits else "__rare__" for c in y], dtype=object)
    if min(np.unique(strat, return_counts=True)[1]) < n_splits:
        strat[:] = "__all__"
    return list(StratifiedKFold(n_splits, shuffle=True, random_state=seed).split(np.zeros(len(y)), strat))


def _evidence(space: FeatureSpace, fields: dict[str, str], row, weights: np.ndarray, limit: int,
              located: list | None = None) -> list[str]:
    """The strongest positive features of one case (value x weight) as short strings. Dictionary words
    come first, then other n-grams of two or more characters (none overlapping a chosen one), single
    characters only when nothing longer speaks for the label."""
    contrib = row.data * weights[row.indices]
    order = np.argsort(-contrib, kind="stable")[:60]
    order = order[contrib[order] > 0]
    cols = row.indices[order].tolist()
    names = space.names(fields, np.asarray(cols), located)
    ranked = [names[c] for c in cols if c in names]
    chosen: list[str] = []
    location = [reason(gettext_noop("street: %(name)s"), name=term) for block, term in ranked if block == "location"][:1]
    for words_first in (True, False):
        for block, term in ranked:
            term = term.strip()
            if block == "location" or len(term) < 2 or block.endswith("_words") != words_first:
                continue
            if any(term in c or c in term for c in chosen):
                continue
            chosen.append(term)
            if len(chosen) >= limit:
                break
        if len(chosen) >= limit:
            break
    if not chosen:
        chosen = [t.strip() for b, t in ranked if b != "location" and t.strip()][:limit]
    return (chosen + location)[: limit + len(location)]


@dataclass
class CategoryModel:
    C: float = 0.5
    title_weight: float = 0.7
    dict_body_weight: float = 1.0
    nb_alpha: float = 0.1  # NB-SVM smoothing (log-count ratios); 0 = a plain linear SVM
    folds: int = 5
    classes_: np.ndarray = field(default=None, repr=False)
    weights_: np.ndarray = field(default=None, repr=False)  # features x classes, float32, C order
    intercept_: np.ndarray = field(default=None, repr=False)
    calibrator: LogisticRegression = field(default=None, repr=False)
    space: FeatureSpace = field(default=None, repr=False)

    def _space(self) -> FeatureSpace:
        return FeatureSpace([
            NgramBlock("title", "title", 1, 3, weight=self.title_weight, salt=11),
            NgramBlock("body", "body", 1, 3, weight=1.0, salt=12),
            NgramBlock("title_words", "title", 2, 4, weight=self.title_weight, salt=13, dictionary=True),
            NgramBlock("body_words", "body", 2, 4, weight=self.dict_body_weight, salt=14, dictionary=True),
        ])

    def _linear(self, X, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _linear_ovr(X, y, self.classes_, self.C, self.nb_alpha, balanced=True)

    def fit(self, titles: list[str], bodies: list[str], labels: list[str]) -> CategoryModel:
        """Inputs are normalised (text.prepare_message)."""
        y = np.asarray(labels, dtype=object)
        self.classes_ = np.array(sorted(set(labels)), dtype=object)
        fields = {"title": titles, "body": bodies}
        self.space = self._space()
        pairs = self.space.pairs(fields)
        if self.folds >= 2:
            oof = np.zeros((len(y), len(self.classes_)))
            for tr, te in _folds(y, self.folds):
                space = self._space().fit(fields, pairs, tr)
                X = space.transform(fields)
                W, b = self._linear(X[tr], y[tr])
                oof[te] = np.asarray(X[te] @ W) + b
            self.calibrator = LogisticRegression(C=1.0, max_iter=1000).fit(oof, y)
        X = self.space.fit(fields, pairs).transform(fields)
        W, b = self._linear(X, y)
        self.weights_ = np.ascontiguousarray(W, dtype=np.float32)
        self.intercept_ = np.asarray(b, dtype=np.float64)
        return self

    def decision(self, titles: list[str], bodies: list[str]):
        X = self.space.transform({"title": titles, "body": bodies})
        return X, np.asarray(X @ self.weights_, dtype=np.float64) + self.intercept_

    def predict_proba(self, titles: list[str], bodies: list[str]) -> np.ndarray:
        return self._proba(self.decision(titles, bodies)[1])

    def _proba(self, scores: np.ndarray) -> np.ndarray:
        if self.calibrator is None:
            return softmax(scores, axis=1)
        proba = np.zeros_like(scores)
        proba[:, np.searchsorted(self.classes_, self.calibrator.classes_)] = self.calibrator.predict_proba(scores)
        return proba

    def suggest(self, title: str, body: str, k: int = 3) -> list[Scored]:
        X, scores = self.decision([title], [body])
        proba = self._proba(scores)[0]
        fields, row = {"title": title, "body": body}, X[0]
        located = self.space.locate(fields)
        return [
            Scored(str(self.classes_[j]), float(proba[j]),
                   _evidence(self.space, fields, row, self.weights_[:, j], 4, located))
            for j in np.argsort(-proba, kind="stable")[:k]
        ]


@dataclass
class DispatchModel:
    C_centre: float = 3.0
    C_unit: float = 1.0
    nb_alpha_unit: float = 0.1  # NB-SVM smoothing of the unit stage; 0 = a plain linear SVM
    location_weight: float = 1.0
    folds: int = 5
    centre: str = CENTRE
    classes_: np.ndarray = field(default=None, repr=False)
    centre_coef_: np.ndarray = field(default=None, repr=False)
    centre_intercept_: float = 0.0
    unit_classes_: np.ndarray = field(default=None, repr=False)
    unit_weights_: np.ndarray = field(default=None, repr=False)  # features x units, float32, C order
    unit_intercept_: np.ndarray = field(default=None, repr=False)
    temperature: float = 5.0
    prior_: np.ndarray = field(default=None, repr=False)  # label shares in training, order of classes_
    space: FeatureSpace = field(default=None, repr=False)

    def _space(self) -> FeatureSpace:
        return FeatureSpace([
            NgramBlock("statement", "statement", 1, 3, salt=21),
            NgramBlock("statement_words", "statement", 2, 4, salt=22, dictionary=True),
            OneHotBlock("location", "location", weight=self.location_weight),
        ])

    def fit(self, locations: list[str], statements: list[str], labels: list[str]) -> DispatchModel:
        y = np.asarray(labels, dtype=object)
        is_centre = y == self.centre
        units = sorted(set(labels) - {self.centre})
        self.classes_ = np.array([self.centre, *units], dtype=object)
        self.prior_ = np.array([(y == c).sum() for c in self.classes_], dtype=np.float64) / len(y)
        fields = {"location": locations, "statement": statements}
        self.space = self._space()
        X = self.space.fit_transform(fields)
        if is_centre.all() or not is_centre.any():
            self.centre_coef_ = np.zeros(X.shape[1], dtype=np.float32)
            self.centre_intercept_ = 20.0 if is_centre.all() else -20.0
        else:
            lr = LogisticRegression(C=self.C_centre, max_iter=3000).fit(X, is_centre)
            self.centre_coef_ = lr.coef_[0].astype(np.float32)
            self.centre_intercept_ = float(lr.intercept_[0])
        Xu, yu = X[~is_centre], y[~is_centre]
        self.unit_classes_ = np.array(units, dtype=object)
        if len(units) == 1:
            self.unit_weights_ = np.zeros((X.shape[1], 1), dtype=np.float32)
            self.unit_intercept_ = np.zeros(1)
        elif units:
            W, b = _linear_ovr(Xu, yu, self.unit_classes_, self.C_unit, self.nb_alpha_unit, balanced=False)
            self.unit_weights_ = np.ascontiguousarray(W, dtype=np.float32)
            self.unit_intercept_ = np.asarray(b, dtype=np.float64)
            self.temperature = self._fit_temperature(fields, y, is_centre)
        else:
            self.unit_weights_ = np.zeros((X.shape[1], 0), dtype=np.float32)
            self.unit_intercept_ = np.zeros(0)
        return self

    def _fit_temperature(self, fields, y, is_centre) -> float:
        """Softmax temperature of the unit SVM's scores that minimises out-of-fold log-loss."""
        idx = np.where(~is_centre)[0]
        yu = y[idx]
        if self.folds < 2 or len(idx) < 2 * self.folds:
            return 5.0
        oof, truth = [], []
        pairs = self._space().pairs(fields)
        for tr, te in _folds(yu, self.folds):
            if len(set(yu[tr])) < 2:
                continue
            space = self._space().fit(fields, pairs, idx[tr])
            X = space.transform(fields)
            W, b = _linear_ovr(X[idx[tr]], yu[tr], self.unit_classes_, self.C_unit, self.nb_alpha_unit,
                               balanced=False)
            b = np.where(np.isin(self.unit_classes_, yu[tr]), b, -3.0)  # a unit the fold never saw: low score
            oof.append(np.asarray(X[idx[te]] @ W) + b)
            truth.append(np.searchsorted(self.unit_classes_, yu[te]))
        if not oof:
            return 5.0
        S, t = np.vstack(oof), np.concatenate(truth)

        def nll(temp: float) -> float:
            return -float(log_softmax(S * temp, axis=1)[np.arange(len(t)), t].mean())

        return float(minimize_scalar(nll, bounds=(0.5, 30.0), method="bounded").x)

    def predict_parts(self, locations: list[str], statements: list[str]):
        X = self.space.transform({"location": locations, "statement": statements})
        p_centre = 1.0 / (1.0 + np.exp(-(np.asarray(X @ self.centre_coef_, dtype=np.float64) + self.centre_intercept_)))
        if len(self.unit_classes_):
            unit_scores = np.asarray(X @ self.unit_weights_, dtype=np.float64) + self.unit_intercept_
            if len(self.unit_classes_) == 1:
                unit_p = np.ones((X.shape[0], 1))
            else:
                unit_p = softmax(unit_scores * self.temperature, axis=1)
        else:
            unit_p = np.zeros((X.shape[0], 0))
        return X, p_centre, unit_p

    def predict_proba(self, locations: list[str], statements: list[str]) -> np.ndarray:
        """Columns in the order of classes_ (the centre first)."""
        return self._proba(*self.predict_parts(locations, statements), locations)

    def _proba(self, X, p_centre, unit_p, locations: list[str]) -> np.ndarray:
        proba = np.hstack([p_centre[:, None], unit_p * (1.0 - p_centre)[:, None]])
        # no n-gram of the statement is known: nothing decides, answer with the training shares (centre first)
        proba[self._uninformed(X, locations)] = self.prior_
        return proba

    def _uninformed(self, X, locations: list[str]) -> np.ndarray:
        known = set(self.space.blocks[-1].values)
        on_location = np.fromiter((loc in known for loc in locations), dtype=np.int64, count=len(locations))
        return (np.diff(X.indptr) - on_location) == 0

    def fallback(self, k: int = 3, why: dict | None = None) -> list[Scored]:
        why = why or reason(gettext_noop("nothing in the text points to a unit"))
        order = np.argsort(-self.prior_, kind="stable")[:k]
        out = []
        for j in order:
            if j == 0:
                evidence = [reason(gettext_noop("fallback: %(reason)s; the district operations centre handles what "
                                                "no bureau owns"), reason=why)]
            else:
                evidence = [reason(gettext_noop("%(share)d%% of past dispatches"), share=round(self.prior_[j] * 100))]
            out.append(Scored(str(self.classes_[j]), float(self.prior_[j]), evidence))
        if 0 not in order[:k]:  # the centre is always offered when nothing decides
            out[-1] = Scored(str(self.classes_[0]), float(self.prior_[0]),
                             [reason(gettext_noop("fallback: %(reason)s"), reason=why)])
        return out

    def suggest(self, location: str, statement: str, k: int = 3) -> list[Scored]:
        X, p_centre, unit_p = self.predict_parts([location], [statement])
        if self._uninformed(X, [location])[0]:
            return self.fallback(k, reason(gettext_noop("no word of the statement is known from past dispatches")))
        proba = self._proba(X, p_centre, unit_p, [location])[0]
        row = X[0]
        fields = {"location": location, "statement": statement}
        located = self.space.locate(fields)
        out = []
        for j in np.argsort(-proba, kind="stable")[:k]:
            if proba[j] <= 0 and out:
                break
            label = str(self.classes_[j])
            if j == 0:
                evidence = [reason(gettext_noop("what no bureau owns goes to the district operations centre "
                                                "(probability %(pct)d%%)"), pct=round(p_centre[0] * 100)),
                            *_evidence(self.space, fields, row, self.centre_coef_, 3, located)]
            else:
                evidence = _evidence(self.space, fields, row, self.unit_weights_[:, j - 1], 4, located)
            out.append(Scored(label, float(proba[j]), evidence))
        return out


def _linear_ovr(X, y: np.ndarray, classes: np.ndarray, C: float, nb_alpha: float,
                balanced: bool) -> tuple[np.ndarray, np.ndarray]:
    """(weights features x classes, intercepts) of one-vs-rest linear SVMs; a class absent from `y` gets
    zero weights and a low intercept. With nb_alpha > 0 this is NB-SVM (Wang & Manning 2012): the SVM of
    each class sees the features scaled by their log-count ratio r (the class against the rest, smoothed by
    nb_alpha); r is folded into the weights, so a score stays X @ weights + intercept and a feature's
    contribution (value x weight) still explains it."""
    W = np.zeros((X.shape[1], len(classes)))
    b = np.full(len(classes), -10.0)
    weight = "balanced" if balanced else None
    if not nb_alpha:
        svm = LinearSVC(C=C, class_weight=weight).fit(X, y)
        cols = np.searchsorted(classes, svm.classes_)
        W[:, cols], b[cols] = _scores_coef(svm).T, _intercept(svm)
        return W, b
    totals = np.asarray(X.sum(axis=0)).ravel()
    for j, c in enumerate(classes):
        pos = y == c
        if not pos.any() or pos.all():
            continue
        in_class = np.asarray(X[pos].sum(axis=0)).ravel()
        p, q = nb_alpha + in_class, nb_alpha + totals - in_class
        r = np.log(p / p.sum()) - np.log(q / q.sum())
        svm = LinearSVC(C=C, class_weight=weight).fit(_scale_columns(X, r), pos)
        W[:, j] = svm.coef_[0] * r
        b[j] = svm.intercept_[0]
    return W, b


def _scale_columns(X, r: np.ndarray) -> csr_matrix:
    """X with column j multiplied by r[j] (X @ diag(r)), in one pass over the stored values."""
    X = csr_matrix(X)
    return csr_matrix((X.data * r[X.indices], X.indices, X.indptr), shape=X.shape)


def _scores_coef(svm: LinearSVC) -> np.ndarray:
    if svm.coef_.shape[0] == 1 and len(svm.classes_) == 2:
        return np.vstack([-svm.coef_[0], svm.coef_[0]])
    return svm.coef_


def _intercept(svm: LinearSVC) -> np.ndarray:
    if len(svm.intercept_) == 1 and len(svm.classes_) == 2:
        return np.array([-svm.intercept_[0], svm.intercept_[0]])
    return svm.intercept_
