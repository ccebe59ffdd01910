"""GPT Lab's shared, pure-Python code (never imports streamlit).

Thread policy, set before torch is imported anywhere: torch's OpenMP threads otherwise spin while
they wait for work. On a laptop where another program is busy, a spinning thread holds a core the
other program wants and the step waits for it: a generation measured 2.5 tok/s with spinning
threads and 12.5 with sleeping ones under the same load (both cores taken by other work), and no
slower on an idle machine. A value set by the user wins.

Memory policy, set before the server starts its threads: gptlab.allocator.
"""

import os

from gptlab import allocator

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
allocator.keep_freed_memory()
