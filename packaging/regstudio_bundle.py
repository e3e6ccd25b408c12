"""The bundle's program (packaging/regstudio.spec): the window with no arguments, the command line with some."""

import multiprocessing
import sys

if __name__ == "__main__":
    # A process that multiprocessing starts re-runs this program: it must stop here, before
    # the window or a command starts a second time.
    multiprocessing.freeze_support()
    from regstudio.gui.app import guard_missing_streams

    guard_missing_streams()  # the windowed program on Windows and macOS has no stdout or stderr
    from regstudio.cli import main

    sys.exit(main())
