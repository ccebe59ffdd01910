"""Tables a page shows with st.dataframe (a chart's text alternative, a text's tokens), as Arrow tables.

st.dataframe sends an Arrow table as it is; a pandas DataFrame it first converts to one, at every page run
(0.6 ms a table against 0.08 ms here, and a decoding page after a generation shows ten of them, forty pages
at once in a class). A function kept by st.cache_data that returned a DataFrame was also unpickled at every
run. Columns keep their order; a column of ints stays ints, of strings strings.
"""

from __future__ import annotations

from typing import Sequence

import pyarrow as pa


def arrow_table(columns: dict[str, Sequence]) -> pa.Table:
    """{column name: values} -> the Arrow table st.dataframe shows (every column the same length)."""
    return pa.table({name: list(values) for name, values in columns.items()})
