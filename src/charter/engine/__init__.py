"""The pure governance core: no I/O, no clock; `now` is always an argument."""
