#!/usr/bin/python3
"""wapiti (Debian 12's 3.0.4) with its exclusion patterns fixed for Python
3.11: wapitiCore.net.crawler.wildcard_translate puts the global flags "(?ms)"
at the end of the expression, which Python 3.11 refuses, so any -x made it
crash. Same arguments as wapiti."""
import re
import sys

import wapitiCore.net.crawler as crawler
from wapitiCore.main.wapiti import wapiti_main


def wildcard_translate(pattern):
    """The wildcard pattern (only * is special) as a compiled expression
    matching the whole text, the flags first."""
    return re.compile(r"(?ms)" + ".*".join(re.escape(part) for part in pattern.split("*")) + r"\Z")


crawler.wildcard_translate = wildcard_translate
sys.argv[0] = "wapiti"
sys.exit(wapiti_main())
