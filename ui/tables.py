"""Tables a page shows with st.dataframe (a chart's text alternative, a text's tokens), as Arrow tables.

st.dataframe sends an Arrow table as it is; a pandas DataFrame it first converts to one, at every page run
(0.6 ms a table against 0.08 ms here, and a decoding page after a generation shows ten of them, forty pages
at once in a class). st.cache_data unpickles what it returns at every run: an Arrow table is cheaper to
unpickle than a DataFrame. Columns keep their order; a column of ints stays ints, of strings strings; unlike
pandas, a column mixing types is refused (pyarrow's ArrowInvalid): format such a column as text first.
"""

from __future__ import annotations

from typing import Sequence

import pyarrow as pa


def arrow_table(columns: dict[str, Sequence]) -> pa.Table:
    """{column name: values} -> the Arrow table st.dataframe shows (every column the same length; the names
    are a dict's keys, so two equal translated headers would be one column: name them apart)."""
    return pa.table({name: list(values) for name, values in columns.items()})
