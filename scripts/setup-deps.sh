#!/usr/bin/env bash
# Installs what building rdbtune needs on Debian/Ubuntu when it is missing:
# libclang (bindgen for librocksdb-sys), a C++ compiler, make. Idempotent and quiet when
# everything is there. The Rust toolchain itself comes from rustup (https://rustup.rs).
set -euo pipefail
missing=()
dpkg -s libclang-dev >/dev/null 2>&1 || missing+=(libclang-dev)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-deps: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "setup-deps: cargo not found; install Rust with rustup (https://rustup.rs) and retry" >&2
  exit 1
fi
for c in clippy rustfmt; do
  if ! cargo "${c/rustfmt/fmt}" --version >/dev/null 2>&1; then
    command -v rustup >/dev/null 2>&1 && rustup component add "$c" >/dev/null 2>&1 || true
  fi
done
