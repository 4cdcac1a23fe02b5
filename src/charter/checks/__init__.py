"""One module or small package per contribution rule; each decides from facts read by `git/`."""
