#!/usr/bin/env python
from twinning.cli import main

if __name__ == "__main__":
    main()
