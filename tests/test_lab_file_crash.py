"""A save killed at any moment leaves the old lab or the new one on disk, never a torn file."""

import os
import subprocess
import sys
import textwrap

import pytest

from regstudio.core.lab.lab_file import save_lab

KILLER = textwrap.dedent("""
    # A process without TensorFlow, so forking is safe: each child saves in a loop until
    # it is killed with SIGKILL at a random moment; the file must then open.
    import os, random, signal, sys, time
    from regstudio.core.lab.lab_file import open_lab, save_lab

    source, target, tries = sys.argv[1], sys.argv[2], int(sys.argv[3])
    content = open_lab(source)
    save_lab(content, target, "old")
    random.seed(1)
    opened = 0
    for attempt in range(tries):
        pid = os.fork()
        if pid == 0:
            while True:
                save_lab(content, target, f"new {attempt}")
        time.sleep(random.uniform(0.0, 0.04))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        back = open_lab(target)  # raises if torn
        opened += back.notes == content.notes
    print(opened)
""")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL (Linux, macOS)")
def test_a_save_killed_with_sigkill_leaves_a_readable_file_every_time(lab_content, tmp_path):
    source = tmp_path / "source.regstudio"
    save_lab(lab_content, source, "0.2.0")
    target = tmp_path / "target.regstudio"
    result = subprocess.run([sys.executable, "-c", KILLER, str(source), str(target), "100"], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "100"
