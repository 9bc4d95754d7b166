#!/usr/bin/env bash
# Installs the real peers rpoco's tests and benches talk to on 127.0.0.1: curl, openssl,
# nginx (client tests, TLS interop), wrk (benches), g++ and libpoco-dev (C++ POCO peers).
# Idempotent: installs only what is missing. Needs root (or sudo) to install; without it,
# prints what is missing and leaves the tests to report it.
set -euo pipefail

# command-to-check:debian-package
wanted=(curl:curl openssl:openssl nginx:nginx wrk:wrk g++:g++ pkg-config:pkg-config)
missing=()
for pair in "${wanted[@]}"; do
  cmd=${pair%%:*}; pkg=${pair##*:}
  command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("$pkg")
done
# libpoco-dev: the headers of POCO's NetSSL (the C++ peer for interop and benches).
[ -f /usr/include/Poco/Net/HTTPSClientSession.h ] || missing+=(libpoco-dev)

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-test-deps: all test peers present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "install-test-deps: missing ${missing[*]} and not root; tests that need them will say so" >&2
  exit 0
fi

echo "install-test-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian nginx package starts a system instance on port 80; tests start their own.
if command -v systemctl >/dev/null 2>&1; then "${sudo[@]}" systemctl disable --now nginx >/dev/null 2>&1 || true; fi
"${sudo[@]}" pkill -x nginx >/dev/null 2>&1 || true
echo "install-test-deps: done"
