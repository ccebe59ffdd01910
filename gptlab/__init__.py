"""GPT Lab's shared, pure-Python code (never imports streamlit).

Thread policy, set before torch is imported anywhere: torch's OpenMP threads otherwise spin while
they wait for work. On a laptop where another program is busy, a spinning thread holds a core the
other program wants and the step waits for it: a generation measured 2.5 tok/s with spinning
threads and 12.5 with sleeping ones under the same load (both cores taken by other work), and no
slower on an idle machine. A value set by the user wins.

A sleeping thread takes about 40 microseconds to wake, and a model pass over a prompt is a thousand
small operations, each waking the second thread again: a (64, 640) product of two arrays took 45 us with
two threads against 3 us with one. GOMP_SPINCOUNT lets a thread spin some tens of microseconds (3,000
turns) before it sleeps, which catches the next operation: the journey lab's float32 pass over 64 tokens went
from 141 to 104 ms, and with one or two busy programs beside it a generation ran as fast as with sleeping
threads (measured side by side; README).

Memory policy, set before the server starts its threads: gptlab.allocator.
"""

import os

from gptlab import allocator

if "OMP_WAIT_POLICY" not in os.environ:  # a policy the user set is theirs, spin count included (libgomp's
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"  # GOMP_SPINCOUNT replaces the spin the policy implies)
    os.environ.setdefault("GOMP_SPINCOUNT", "3000")  # turns of spinning before a thread sleeps
allocator.keep_freed_memory()
