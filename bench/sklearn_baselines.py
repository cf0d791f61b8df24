# scikit-learn's side of `deno task bench train`, read from stdin as JSON: raw columns, kinds, labels and each
# row's part; run by bench/child.sh (Debian's /usr/bin/python3 with python3-sklearn).
import json, sys, time
import numpy as np
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

d = json.load(sys.stdin)
num, cat = d["numeric"], d["categorical"]
part = np.array(d["part"])
y = np.array(d["label"], dtype=int)
fit, test = part != "test", part == "test"
X_num = np.array([[np.nan if v is None else float(v) for v in d["columns"][c]] for c in num], dtype=float).T.reshape(len(y), len(num))
X_cat = np.array([["__missing__" if v is None else str(v) for v in d["columns"][c]] for c in cat], dtype=object).T.reshape(len(y), len(cat))

out = {"sklearn": sklearn.__version__, "fit_rows": int(fit.sum()), "test_rows": int(test.sum())}
# HistGradientBoosting: numbers as they are (missing values natively), categories ordinal-encoded as categorical_features
enc = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan).fit(X_cat[fit])
X_hgb = np.hstack([X_num, enc.transform(X_cat)])
mask = np.array([False] * len(num) + [True] * len(cat))
runs = []
for rs in range(5):
    t0 = time.time()
    hgb = HistGradientBoostingClassifier(categorical_features=mask, early_stopping=True, random_state=rs)
    hgb.fit(X_hgb[fit], y[fit])
    runs.append({"random_state": rs, "auc": roc_auc_score(y[test], hgb.predict_proba(X_hgb[test])[:, 1]),
                 "train_s": time.time() - t0, "iterations": int(hgb.n_iter_)})
out["hgb"] = runs
# LogisticRegression: one-hot categories, imputed and standardized numbers
t0 = time.time()
lr = make_pipeline(
    ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), list(range(len(num)))),
        ("cat", OneHotEncoder(handle_unknown="ignore"), list(range(len(num), len(num) + len(cat)))),
    ]),
    LogisticRegression(max_iter=2000),
)
X_lr = np.hstack([X_num.astype(object), X_cat])
lr.fit(X_lr[fit], y[fit])
out["lr"] = {"auc": roc_auc_score(y[test], lr.predict_proba(X_lr[test])[:, 1]), "train_s": time.time() - t0}
print(json.dumps(out))
