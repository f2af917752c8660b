#!/usr/bin/env bash
# Set up the project on a fresh machine that has Python 3.11 and the package registries.
#   bash tools/bootstrap.sh          # virtual environment + the project and its dependencies
#   bash tools/bootstrap.sh --test   # the same, plus what the test suite needs beyond Python:
#                                    # Debian's chromium (the HTML report is checked in a real browser),
#                                    # qpdf (the scaled corpus of the performance benchmark is cut with
#                                    # it) and poppler-utils (pdftotext, the real-corpus benchmarks)
# Both install Debian's Tesseract with its Vietnamese model (scanned pages are read by OCR; nothing
# is downloaded at run time).
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
if ! .venv/bin/python -c "import pipeline, extractors, camelot, prefect, deltalake" >/dev/null 2>&1 \
   || [ pyproject.toml -nt .venv/.installed ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e ".[dev]"
  touch .venv/.installed
fi
if ! command -v tesseract >/dev/null 2>&1 || ! tesseract --list-langs 2>/dev/null | grep -qx vie; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq tesseract-ocr tesseract-ocr-vie >/dev/null
fi
if [ "${1:-}" = "--test" ] && { ! command -v chromium >/dev/null 2>&1 || ! command -v qpdf >/dev/null 2>&1 \
                                 || ! command -v pdftotext >/dev/null 2>&1; }; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium qpdf poppler-utils >/dev/null
fi
