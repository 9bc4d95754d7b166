#!/usr/bin/env bash
# Installs the real peers rpoco's tests and benches talk to on 127.0.0.1. Each area lists its
# own in scripts/deps/: `NAME.apt` (lines `command-or-/path:debian-package`) and `NAME.pip`
# (lines `python-module:pip-requirement`). Idempotent: installs only what is missing. Needs
# root (or sudo) to install; without it, prints what is missing and leaves the tests to
# report it.
set -euo pipefail
deps_dir="$(dirname "$0")/deps"

apt_missing=()
pip_missing=()
shopt -s nullglob
for list in "$deps_dir"/*.apt; do
  while IFS= read -r line; do
    line=${line%%#*}; line=${line//[[:space:]]/}
    [ -z "$line" ] && continue
    what=${line%%:*}; pkg=${line##*:}
    if [[ $what == /* ]]; then
      [ -e "$what" ] && continue
    else
      command -v "$what" >/dev/null 2>&1 && continue
      [ -x "/usr/sbin/$what" ] && continue
    fi
    [[ " ${apt_missing[*]} " == *" $pkg "* ]] || apt_missing+=("$pkg")
  done < "$list"
done
python=${PYTHON:-python3}
for list in "$deps_dir"/*.pip; do
  while IFS= read -r line; do
    line=${line%%#*}; line=${line//[[:space:]]/}
    [ -z "$line" ] && continue
    module=${line%%:*}; req=${line#*:}
    "$python" -c "import $module" >/dev/null 2>&1 && continue
    [[ " ${pip_missing[*]} " == *" $req "* ]] || pip_missing+=("$req")
  done < "$list"
done

if [ ${#apt_missing[@]} -eq 0 ] && [ ${#pip_missing[@]} -eq 0 ]; then
  echo "install-test-deps: all test peers present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "install-test-deps: missing ${apt_missing[*]} ${pip_missing[*]} and not root; tests that need them will say so" >&2
  exit 0
fi

if [ ${#apt_missing[@]} -gt 0 ]; then
  echo "install-test-deps: installing ${apt_missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >/dev/null
  # Debian's server packages start system instances (nginx on 80, ...); tests start their own.
  for svc in nginx vsftpd dovecot dnsmasq opensmtpd smtpd; do
    if command -v systemctl >/dev/null 2>&1; then "${sudo[@]}" systemctl disable --now "$svc" >/dev/null 2>&1 || true; fi
    "${sudo[@]}" pkill -x "$svc" >/dev/null 2>&1 || true
  done
fi
if [ ${#pip_missing[@]} -gt 0 ]; then
  echo "install-test-deps: pip installing ${pip_missing[*]}"
  "$python" -m pip install -q --disable-pip-version-check "${pip_missing[@]}"
fi
echo "install-test-deps: done"
