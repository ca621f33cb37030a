#!/usr/bin/env bash
# Publishes the gateway as one Native AOT binary, which runs without a .NET runtime, into ${1:-.data/aot}/Gateway.
# It needs about half the memory of the JIT build, at some cost in latency and throughput (docs/benchmarks.md,
# "Session 6"). Run it with the same settings as the JIT build (appsettings.json beside it, environment variables).
# Installs clang and zlib, which the native link needs, when they are missing. Safe to run again. Prints the path.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="${1:-$ROOT/.data/aot}"
case "$(uname -m)" in x86_64) RID=linux-x64 ;; aarch64) RID=linux-arm64 ;; *) echo "unsupported machine $(uname -m)" >&2; exit 1 ;; esac

linker=()
if ! command -v clang >/dev/null || ! dpkg -s zlib1g-dev >/dev/null 2>&1; then
  versioned="$(ls /usr/bin/clang-[0-9]* 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$versioned" ] && dpkg -s zlib1g-dev >/dev/null 2>&1; then
    linker=(-p:CppCompilerAndLinker="$(basename "$versioned")") # e.g. clang-14 without the plain clang link
  else
    echo "[publish-aot] installing clang and zlib1g-dev" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang zlib1g-dev >/dev/null
  fi
fi

# Its own artifacts folder: sharing obj/ with the solution's build, each rewrote the other's generated editorconfig and
# restore output, and every publish after a build compiled and linked again (75 s instead of 2).
echo "[publish-aot] publishing $RID to $OUT (1-2 minutes; seconds when no source changed)" >&2
dotnet publish Gateway/Gateway.csproj -c Release -r "$RID" -p:PublishAot=true -p:OptimizationPreference=Speed \
  "${linker[@]}" --artifacts-path "$OUT-build" -o "$OUT" -nologo -v q >&2
echo "$OUT/Gateway"
