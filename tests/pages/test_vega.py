"""A chart's datasets go to the browser as Arrow bytes (ui.vega.packed): records are converted without pandas,
and the browser gets the same table Streamlit's own conversion gives."""

from __future__ import annotations

import pyarrow as pa
import pytest
from streamlit import dataframe_util

from ui import vega


def table(data: bytes) -> list[dict]:
    return pa.ipc.open_stream(data).read_all().to_pylist()


@pytest.mark.parametrize("records", [
    [{"label": "1. «a»", "series_name": "Modelo", "p": 0.25, "shown": "0,2500"},
     {"label": "2. <b>", "series_name": "Modelo", "p": 1e-9, "shown": "0,0000"}],
    [{"query": "0 ▁o", "key": "1 🙂", "value": None, "masked": True, "ink": "#000000"},
     {"query": "0 ▁o", "key": "0 ▁o", "value": 0.5, "masked": False, "ink": "#ffffff"}],
    [{"p": 0.9, "text": "top-p = 0,9"}],
])
def test_records_become_the_table_streamlit_would_send(records):
    ours = table(vega.arrow_bytes(records))
    assert ours == records
    assert ours == table(dataframe_util.convert_anything_to_arrow_bytes(records))


def test_packed_keeps_bytes_and_converts_every_other_dataset():
    spec = {"mark": "bar", "datasets": {"a": [{"x": 1.0}], "b": [], "c": b"already"}}
    out = vega.packed(spec)
    assert table(out["datasets"]["a"]) == [{"x": 1.0}]
    assert table(out["datasets"]["b"]) == []  # an empty dataset (no token cut): Streamlit's own conversion
    assert out["datasets"]["c"] == b"already"
    assert spec["datasets"]["a"] == [{"x": 1.0}]  # the builder's spec is left as it was
