"""``python -m xunfang``: the command line, as the ``xunfang`` script (a venv's scripts folder
is not always on PATH, e.g. on a locked-down desktop)."""

from xunfang.cli.main import run

if __name__ == "__main__":
    run()
