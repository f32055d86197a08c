"""Offline stand-in for ansible-test's get-pip bootstrap script.

ansible-test runs ``python get_pip.py <pip options> pip==X setuptools==Y ...`` inside a
fresh virtual environment and would download the real script first; this machine has
no internet, but PyPI (through pip's own configuration) is reachable.  So: bootstrap
pip with ensurepip, then let pip install the exact packages ansible-test asked for.

ensurepip runs in a subprocess because it blanks pip's configuration for its own
process, which would hide the index configuration of the machine.
"""

import subprocess
import sys

DROP = {"--no-setuptools", "--no-wheel"}

subprocess.run([sys.executable, "-m", "ensurepip", "--upgrade"], check=True, stdout=subprocess.DEVNULL)
args = [arg for arg in sys.argv[1:] if arg not in DROP]
sys.exit(subprocess.run([sys.executable, "-m", "pip", "install", *args], check=False).returncode)
