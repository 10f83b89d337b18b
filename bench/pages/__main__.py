import sys

from . import main

if __name__ == "__main__":  # not when a spawned job imports it
    sys.exit(main(sys.argv[1:]))
