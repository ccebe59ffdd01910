"""Charts sent as their Vega-Lite specs: st.altair_chart without Altair's schema validation and global switches.

st.altair_chart converts a chart under one lock shared by every session (it switches Altair's global
theme and data transformer while it converts), and Altair first validates the whole spec against the
Vega-Lite JSON schema. With 40 students opening the decoding lab at once, that conversion was a fifth
of the server's Python time (py-spy, holding the GIL). The app's charts are built by tested code, and
the tests validate every one of them (Altair's with to_dict(), the specs written as dicts against the
Vega-Lite schema Altair ships: tests/pages/test_chart_specs.py, the charts' own tests), so
the pages convert them without validation, outside any lock. Every chart of the app goes through here:
a session converting while another switched Altair's global data transformer would put its data in
the other's datasets.
"""

from __future__ import annotations

from typing import Any, Literal

import streamlit as st


def spec(chart: Any) -> dict:
    """An Altair chart's Vega-Lite spec, its data inline, without the default theme's view size (which
    st.altair_chart leaves out too, so the chart fills its column) and without the schema's web address.
    A spec written as a dict comes back as a copy."""
    if isinstance(chart, dict):
        return dict(chart)
    out = chart.to_dict(validate=False)
    # Altair names the schema by its web address; the browser never needs it (Streamlit draws Vega-Lite), and a
    # page sent to an offline classroom holds no address of another host.
    out.pop("$schema", None)
    view = out.get("config", {}).get("view", {})
    for default in ("continuousWidth", "continuousHeight"):
        view.pop(default, None)
    return out


def packed(chart: Any) -> dict:
    """spec(chart) with every dataset already in the Arrow bytes Streamlit sends them as: a chart worth
    keeping (st.cache_data) for the next runs of a page, which then send it without converting its data
    again (pandas to Arrow was most of drawing the decoding lab's two charts)."""
    out = spec(chart)
    if "datasets" in out:
        out["datasets"] = {name: arrow_bytes(data) for name, data in out["datasets"].items()}
    return out


def arrow_bytes(data: Any) -> bytes:
    """A dataset as the Arrow bytes Streamlit sends: records (a list of dicts with the same keys, as the app's
    charts write their data) straight into an Arrow table, one column per key, NaN as null as pandas has it;
    anything else, and records Arrow cannot type (a column of both text and numbers), as Streamlit converts
    them (through pandas, about eight times slower for a chart's few dozen records: a decoding page's two
    charts spent 7 % of its Python there)."""
    import pyarrow as pa
    from streamlit import dataframe_util

    if isinstance(data, bytes):
        return data
    if isinstance(data, list) and data and all(isinstance(record, dict) for record in data):
        keys = list(data[0])
        if all(list(record) == keys for record in data):
            try:
                table = pa.table({key: pa.array([record[key] for record in data], from_pandas=True) for key in keys})
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                pass
            else:
                return dataframe_util.convert_arrow_table_to_arrow_bytes(table)
    return dataframe_util.convert_anything_to_arrow_bytes(data)


def show(chart: Any, *, width: Literal["stretch", "content"] = "stretch", height: Any = "content",
         place: Any = None) -> None:
    """Draw an Altair chart (as st.altair_chart does, with Streamlit's theme), or a spec from packed(), in
    `place` (a column, an st.empty slot) or where the page is."""
    # Streamlit takes the datasets out of the dict it is handed: a kept spec goes as a copy.
    out = dict(chart) if isinstance(chart, dict) else spec(chart)
    (st if place is None else place).vega_lite_chart(out, width=width, height=height)
