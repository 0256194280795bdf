#!/usr/bin/env bash
# The README promises two commands (set up + run the main job; run the tests) and its more checks,
# and CI must run exactly those. Each sits in the code block after a marker comment in README.md.
set -euo pipefail
root=${1:-.}
command_after() {
  awk -v marker="<!-- $1 -->" '
    $0 == marker { seen = 1; next }
    seen && /^```/ { inside = !inside; if (!inside) exit; next }
    seen && inside { print }' "$root/README.md"
}
status=0
for marker in command:setup command:test command:more; do
  cmd=$(command_after "$marker")
  if [ -z "$cmd" ]; then
    echo "README.md: no command found after <!-- $marker -->"
    status=1
  elif ! grep -qxF -- "$cmd" "$root/.ci/run"; then
    echo ".ci/run does not run the README's $marker command: $cmd"
    status=1
  fi
done
exit $status
