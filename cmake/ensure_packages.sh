# Sourced by setup.sh and tests/more_checks.sh: `ensure_packages PKG...` installs with apt-get the
# Debian packages that are missing (root, or sudo), and nothing when all are present.
ensure_packages() {
  local missing=() pkg sudo=""
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all $# system packages present"
    return 0
  fi
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
