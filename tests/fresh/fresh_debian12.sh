#!/usr/bin/env bash
# Runs the README's commands on a fresh Debian 12 root, as a new machine would: debootstrap --variant=minbase
# (nothing preinstalled), a clean clone of this repository at its HEAD commit in /src, run as root. Run as root from
# the checkout; needs debootstrap (installed when missing) and network access to Debian's mirror and the npm registry.
#   tests/fresh/fresh_debian12.sh                         deploy/up.sh, then deploy/test.sh
#   tests/fresh/fresh_debian12.sh deploy/up.sh            only the start command (any command, run in /src)
# Only committed work is tested (the clone is of HEAD). The base root is cached in $ZT_FRESH_DIR/base (default
# /tmp/zt-fresh-debian12; a few minutes the first time); every run starts from a copy of it in $ZT_FRESH_DIR/root,
# which is left there for inspection, each command's output also in $ZT_FRESH_DIR/<n>.log. The local CA certificates of
# this machine (/usr/local/share/ca-certificates) are copied in: a network that reaches the registries through a
# TLS-inspecting proxy needs them on a new machine too (apt's ca-certificates installs them; npm gets them through
# NODE_EXTRA_CA_CERTS). At the end the stack started inside is stopped, any process left in the root ended and the
# mounts removed. Exit status: that of the first failing command.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "fresh_debian12.sh: run as root (debootstrap, chroot, mount)" >&2; exit 2; }
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
commit=$(git -C "$repo" rev-parse HEAD)
dir=${ZT_FRESH_DIR:-/tmp/zt-fresh-debian12}
base=$dir/base root=$dir/root
commands=("$@")
[ ${#commands[@]} -gt 0 ] || commands=(deploy/up.sh deploy/test.sh)

mkdir -p "$dir"
if [ ! -x "$base/bin/bash" ]; then
  command -v debootstrap >/dev/null || (apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null)
  rm -rf "$base"
  echo "== debootstrap --variant=minbase bookworm $base"
  debootstrap --variant=minbase bookworm "$base" http://deb.debian.org/debian > "$dir/debootstrap.log"
fi

mounts=(dev dev/pts proc sys)
unmount_all() {
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    mountpoint -q "$root/${mounts[i]}" && umount -l "$root/${mounts[i]}"
  done
  return 0
}
processes_in_root() {  # pids whose root directory is the fresh root
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && echo "${p#/proc/}"
  done
  return 0
}
cleanup() {
  if [ -x "$root/src/deploy/down.sh" ] && mountpoint -q "$root/proc"; then
    chroot "$root" /bin/bash -c 'cd /src && deploy/down.sh' >/dev/null 2>&1 || true
  fi
  local pids; pids=$(processes_in_root)
  if [ -n "$pids" ]; then
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true; sleep 3
    pids=$(processes_in_root)
    # shellcheck disable=SC2086
    [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
  fi
  unmount_all
}

unmount_all
rm -rf "$root"
cp -a "$base" "$root"
trap cleanup EXIT
git clone -q --no-checkout "$repo" "$root/src"
git -C "$root/src" checkout -q "$commit"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/usr/local/share/ca-certificates"
cas=(/usr/local/share/ca-certificates/*.crt)
if [ -e "${cas[0]}" ]; then
  cp "${cas[@]}" "$root/usr/local/share/ca-certificates/"
  cat "${cas[@]}" > "$root/etc/zt-extra-ca.pem"
fi
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"

echo "== fresh Debian 12 root $root, repository at $commit"
n=0
for c in "${commands[@]}"; do
  n=$((n + 1))
  echo "== $c"
  start=$SECONDS
  status=0
  # nice: the cold build takes all the cores it is given.
  nice -n 10 chroot "$root" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin NODE_EXTRA_CA_CERTS=/etc/zt-extra-ca.pem \
    /bin/bash -c "cd /src && $c" 2>&1 | tee "$dir/$n.log" || status=$?
  echo "== $c: exit $status after $((SECONDS - start)) s"
  [ "$status" = 0 ] || exit "$status"
done
