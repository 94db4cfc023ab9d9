#!/usr/bin/env bash
# Formats the tree with clang-format, or checks it with --check.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files '*.hpp' '*.cpp')
if [ "${1:-}" = "--check" ]; then
  clang-format --dry-run --Werror $files
else
  clang-format -i $files
fi
