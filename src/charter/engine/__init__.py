"""The pure governance core: no I/O, no clock; `now` is always an argument.

Importing the package registers every process with the machine that dispatches to them.
"""

import charter.engine.processes  # noqa: F401 - each process module registers its verbs
