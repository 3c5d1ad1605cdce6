"""gdtui on a system without POSIX's extras (Windows): the app, `train` and `data` import and run.

Each case runs a fresh Python in which what Windows lacks is taken away before gdtui is imported:
POSIX-only signals and os functions, and the modules only Unix has. Linux then catches what
would crash at import, or on first use, on Windows.
"""

import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import gdtui
from gdtui import __version__

# What a Linux Python has and a Windows one does not, of what a program like gdtui might reach for.
# Not getuid, termios or tty: Textual and platformdirs reach for them in their code for Unix alone,
# which they choose by the platform's name, and Windows has its own.
POSIX_SIGNALS = ("SIGPIPE", "SIGHUP", "SIGTSTP", "SIGCONT", "SIGWINCH", "SIGCHLD", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM")
POSIX_OS = ("sysconf", "sysconf_names", "fork", "getpgid", "killpg", "setsid", "login_tty", "openpty", "O_NOFOLLOW", "O_NONBLOCK")
POSIX_MODULES = ("fcntl", "pty", "resource", "pwd", "grp")

WITHOUT_POSIX = textwrap.dedent(
    f"""
    import os, signal, sys
    for name in {POSIX_SIGNALS!r}:
        delattr(signal, name)
    for name in {POSIX_OS!r}:
        delattr(os, name)
    for name in {POSIX_MODULES!r}:
        sys.modules[name] = None  # import then raises ImportError, as where the module does not exist
    """
)


def without_posix(code: str, *argv: object) -> subprocess.CompletedProcess:
    """Run code in a Python that lacks what Windows lacks; argv becomes its sys.argv[1:]."""
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_POSIX + textwrap.dedent(code), *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def gdtui_without_posix(*argv: object) -> subprocess.CompletedProcess:
    return without_posix("from gdtui.cli import main\nsys.exit(main(sys.argv[1:]))", *argv)


def test_the_patch_takes_away_what_windows_lacks():
    done = without_posix("import signal, os\nprint(hasattr(signal, 'SIGPIPE'), hasattr(os, 'sysconf'))\nimport pty")
    assert done.stdout == "False False\n"
    assert "ModuleNotFoundError" in done.stderr or "ImportError" in done.stderr


def test_every_module_but_the_lab_server_imports():
    root = Path(gdtui.__file__).parent
    names = [
        module.name
        for module in pkgutil.walk_packages([str(root)], prefix="gdtui.")
        # __main__ runs the command line: the commands are run below.
        if not module.name.startswith(("gdtui.serve", "gdtui.commands.serve", "gdtui.__main__"))
    ]
    done = without_posix("import importlib\nfor name in sys.argv[1:]:\n    importlib.import_module(name)", *names)
    assert done.returncode == 0, done.stderr


def test_version_and_data(tiny_mnist_dir):
    done = gdtui_without_posix("--version")
    assert (done.returncode, done.stdout.strip()) == (0, f"gdtui {__version__}")
    done = gdtui_without_posix("data", "--data", tiny_mnist_dir)
    assert done.returncode == 0, done.stderr
    assert "training images" in done.stdout


def test_train(tiny_mnist_dir):
    done = gdtui_without_posix("train", "--data", tiny_mnist_dir, "--epochs", "1", "--json")
    assert done.returncode == 0, done.stderr
    assert '"test_accuracy"' in done.stdout


def test_the_app_draws_its_first_screen(tiny_mnist_dir):
    done = without_posix("from gdtui.ui.launch import draw_first_screen\ndraw_first_screen(sys.argv[1])", tiny_mnist_dir)
    assert done.returncode == 0, done.stderr


def test_serve_says_in_one_line_that_it_needs_unix():
    done = gdtui_without_posix("serve", "--no-auth")
    assert done.returncode == 2
    assert done.stderr.strip().startswith("gdtui: error:") and "Unix" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_collecting_a_class_s_work_says_in_one_line_that_it_needs_unix(tmp_path):
    done = gdtui_without_posix("class", "collect", tmp_path, "--dir", tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().startswith("gdtui: error:") and "Unix" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
