#!/usr/bin/env bash
# Abseil and gRPC built with ThreadSanitizer, for deploy/sanitize.sh thread.
#   deploy/tsan-grpc.sh [PREFIX]   (default .state/tsan-grpc; ten minutes on two cores with a warm ccache, several
#                                  times that without)
# Debian's libgrpc and libabsl are built without TSan, so TSan cannot see their synchronisation: an object gRPC fills on
# one of its threads and hands to ours through a completion queue looks like a race. Built from the very sources Debian
# packages (same versions, Debian's Abseil patches, so the same options and inline namespace), with -fsanitize=thread,
# they let the tests that cross gRPC be judged. sanitize.sh thread uses PREFIX when it holds a build.
# Only the libraries and grpc_cpp_plugin are built; protobuf, re2, c-ares, OpenSSL and zlib stay Debian's (they hand
# nothing between threads themselves).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
prefix=${1:-$repo/.state/tsan-grpc}
jobs=${ZT_SANITIZE_JOBS:-2}
work=$prefix.src
mirror=${ZT_DEBIAN_MIRROR:-http://deb.debian.org/debian}

absl_version=20220623.1
absl_debian=1+deb12u2
grpc_version=1.51.1
grpc_debian=3
sources=(  # path under the mirror's pool/main, SHA-256
  "a/abseil/abseil_$absl_version.orig.tar.gz
   abfe2897f3a30edaa74bc34365afe3c2a3cd012091a97dc7e008f7016adcd5fe"
  "a/abseil/abseil_$absl_version-$absl_debian.debian.tar.xz
   e08490fc7b6f3beca1925953b0c4fb92df2de5e2a01295e4641e2a3d4e528eeb"
  "g/grpc/grpc_$grpc_version.orig.tar.gz
   b55696fb249669744de3e71acc54a9382bea0dce7cd5ba379b356b12b82d4229"
  "g/grpc/grpc_$grpc_version-$grpc_debian.debian.tar.xz
   767b69da166bae708a54c4740056d9e847d57d89885173016bfc57ebbf154b2d"
)

if [[ -f $prefix/.built ]]; then
  echo "TSan Abseil and gRPC already in $prefix"
  exit 0
fi
missing=()
for pkg in cmake ninja-build g++ curl patch libprotobuf-dev libprotoc-dev protobuf-compiler libre2-dev \
           libc-ares-dev libssl-dev zlib1g-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [[ ${#missing[@]} -gt 0 ]]; then apt-get install -y --no-install-recommends "${missing[@]}"; fi

mkdir -p "$work"
cd "$work"
for entry in "${sources[@]}"; do
  read -r -d '' path sum <<<"$entry" || true
  file=$(basename "$path")
  if [[ ! -f $file ]]; then curl -fsSL -o "$file.part" "$mirror/pool/main/$path" && mv "$file.part" "$file"; fi
  echo "$sum  $file" | sha256sum -c --quiet
done

flags="-fsanitize=thread -fno-omit-frame-pointer -O1 -g"
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
common=(-G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags"
        -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread
        -DCMAKE_CXX_STANDARD=17 -DBUILD_SHARED_LIBS=ON -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib
        -DCMAKE_INSTALL_RPATH="$prefix/lib" "${launcher[@]}")

rm -rf "abseil-$absl_version" debian
tar xzf "abseil_$absl_version.orig.tar.gz"
tar xJf "abseil_$absl_version-$absl_debian.debian.tar.xz"
(cd "abseil-$absl_version" &&
  grep -v '^#' ../debian/patches/series | while read -r p; do [[ -n $p ]] && patch -p1 -s <"../debian/patches/$p"; done)
rm -rf debian
cmake -S "abseil-$absl_version" -B absl-build "${common[@]}" -DBUILD_TESTING=OFF -DABSL_PROPAGATE_CXX_STD=ON
nice ninja -C absl-build -j"$jobs" install

rm -rf "grpc-$grpc_version" debian
tar xzf "grpc_$grpc_version.orig.tar.gz"
tar xJf "grpc_$grpc_version-$grpc_debian.debian.tar.xz"
# Debian's patch that stops the configure step downloading opencensus-proto (unused; no network to GitHub here).
(cd "grpc-$grpc_version" && patch -p1 -s <../debian/patches/no-opencensus.patch)
rm -rf debian
cmake -S "grpc-$grpc_version" -B grpc-build "${common[@]}" -DCMAKE_PREFIX_PATH="$prefix" -DgRPC_BUILD_TESTS=OFF \
  -DgRPC_ABSL_PROVIDER=package -DgRPC_CARES_PROVIDER=package -DgRPC_PROTOBUF_PROVIDER=package \
  -DgRPC_RE2_PROVIDER=package -DgRPC_SSL_PROVIDER=package -DgRPC_ZLIB_PROVIDER=package \
  -DgRPC_BACKWARDS_COMPATIBILITY_MODE=OFF -DgRPC_BUILD_CSHARP_EXT=OFF -DgRPC_BUILD_GRPC_CPP_PLUGIN=ON \
  -DgRPC_BUILD_GRPC_CSHARP_PLUGIN=OFF -DgRPC_BUILD_GRPC_NODE_PLUGIN=OFF -DgRPC_BUILD_GRPC_OBJECTIVE_C_PLUGIN=OFF \
  -DgRPC_BUILD_GRPC_PHP_PLUGIN=OFF -DgRPC_BUILD_GRPC_PYTHON_PLUGIN=OFF -DgRPC_BUILD_GRPC_RUBY_PLUGIN=OFF
nice ninja -C grpc-build -j"$jobs" install
touch "$prefix/.built"
echo "TSan Abseil and gRPC in $prefix"
