"""Scoring script of the example deployment (the Azure ML inference server's init()/run() contract).

The model is the emulator's "linear/v1" format: a JSON file {"format": "linear/v1", "weights": [...], "bias": b};
a request {"data": [[x1, x2, x3], ...]} gets one score per row, weights . row + bias. In Azure ML the model's files
are under AZUREML_MODEL_DIR; the local emulator computes the same answers without running this file.
"""

import glob
import json
import os

model = None


def init():
    global model
    model_dir = os.environ.get("AZUREML_MODEL_DIR", ".")
    paths = sorted(glob.glob(os.path.join(model_dir, "**", "*.json"), recursive=True))
    if not paths:
        raise FileNotFoundError(f"no .json model artifact under {model_dir}")
    with open(paths[0], encoding="utf-8") as handle:
        model = json.load(handle)
    if model.get("format") != "linear/v1":
        raise ValueError(f"unsupported model format {model.get('format')!r}")


def run(raw_data):
    rows = json.loads(raw_data)["data"]
    weights, bias = model["weights"], model.get("bias", 0.0)
    for index, row in enumerate(rows):
        if len(row) != len(weights):
            raise ValueError(f"row {index} must have {len(weights)} numbers")
    return [sum(w * x for w, x in zip(weights, row)) + bias for row in rows]
