"""A chart's datasets go to the browser as Arrow bytes (ui.vega.packed): records are converted without pandas,
and the browser gets the same table Streamlit's own conversion gives."""

from __future__ import annotations

import math

import pyarrow as pa
import pytest
from streamlit import dataframe_util

from ui import vega


def table(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(data).read_all()


def streamlits(records) -> pa.Table:
    return table(dataframe_util.convert_anything_to_arrow_bytes(records))


def same_kind(ours: pa.DataType, theirs: pa.DataType) -> bool:
    """The same kind of column (text, number, yes/no): pandas writes text as large_string, and a number column
    with a gap as double."""
    for test in (pa.types.is_string, pa.types.is_large_string), (pa.types.is_floating, pa.types.is_integer), (
            pa.types.is_boolean,), (pa.types.is_null,):
        if any(t(ours) for t in test):
            return any(t(theirs) for t in test) or (pa.types.is_integer(ours) and pa.types.is_floating(theirs))
    return ours == theirs


@pytest.mark.parametrize("records", [
    [{"label": "1. «a»", "series_name": "Modelo", "p": 0.25, "shown": "0,2500"},
     {"label": "2. <b>", "series_name": "Modelo", "p": 1e-9, "shown": "0,0000"}],
    [{"query": "0 ▁o", "key": "1 🙂", "value": None, "masked": True, "ink": "#000000"},
     {"query": "0 ▁o", "key": "0 ▁o", "value": 0.5, "masked": False, "ink": "#ffffff"}],
    [{"p": 0.9, "text": "top-p = 0,9"}],
    [{"x": 1, "y": 0.5}, {"x": 2.5, "y": float("nan")}],  # ints beside floats; NaN, which pandas makes a gap
    [{"x": None}, {"x": None}],
])
def test_records_become_the_table_streamlit_would_send(records):
    ours, theirs = table(vega.arrow_bytes(records)), streamlits(records)
    assert ours.column_names == theirs.column_names == list(records[0])
    for name in ours.column_names:
        assert same_kind(ours.schema.field(name).type, theirs.schema.field(name).type), name
    expected = [{k: None if isinstance(v, float) and math.isnan(v) else v for k, v in r.items()} for r in records]
    assert ours.to_pylist() == theirs.to_pylist() == expected


@pytest.mark.parametrize("records", [
    [{"a": 1.0}, {"a": 2.0, "b": "x"}],  # keys that differ: every column kept, as Streamlit keeps them
    [{"a": 1.0}, {"a": "text"}],  # text and numbers in one column: Arrow cannot type it, Streamlit writes text
])
def test_records_arrow_cannot_take_as_they_are_go_the_way_streamlit_converts_them(records):
    assert vega.arrow_bytes(records) == dataframe_util.convert_anything_to_arrow_bytes(records)


def test_packed_keeps_bytes_and_converts_every_other_dataset():
    spec = {"mark": "bar", "datasets": {"a": [{"x": 1.0}], "b": [], "c": b"already"}}
    out = vega.packed(spec)
    assert table(out["datasets"]["a"]).to_pylist() == [{"x": 1.0}]
    assert table(out["datasets"]["b"]).to_pylist() == []  # an empty dataset (no token cut): Streamlit's own way
    assert out["datasets"]["c"] == b"already"
    assert spec["datasets"]["a"] == [{"x": 1.0}]  # the builder's spec is left as it was
