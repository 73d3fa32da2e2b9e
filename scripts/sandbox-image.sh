#!/usr/bin/env bash
# Builds the sandbox image without any registry: a Debian minbase root filesystem made by
# debootstrap, imported into the Docker engine that DOCKER_HOST names. The root filesystem
# is cached as a tarball, so later builds take seconds.
#
#   scripts/sandbox-image.sh [IMAGE]        default IMAGE: reward-server-sandbox:latest
#
# Environment: SANDBOX_SUITE (bookworm), SANDBOX_MIRROR (http://deb.debian.org/debian),
# REWARD_SERVER_CACHE (/var/cache/reward-server).
set -euo pipefail

image=${1:-reward-server-sandbox:latest}
suite=${SANDBOX_SUITE:-bookworm}
mirror=${SANDBOX_MIRROR:-http://deb.debian.org/debian}
cache=${REWARD_SERVER_CACHE:-/var/cache/reward-server}
# python3 + pytest + git + patch run the tests of SWE-style tasks, g++ the C++ of code_tests;
# pip and venv let the service image (Dockerfile) install the project from a wheelhouse.
packages=python3,python3-pytest,git,patch,python3-pip,python3-venv,g++
layout=2  # bump when the steps below change what goes into the tarball

key=$(echo "$suite $mirror $packages $layout" | sha256sum | cut -c1-12)
tarball="$cache/rootfs-$suite-$key.tar"
mkdir -p "$cache"
if [[ ! -s "$tarball" ]]; then
    work=$(mktemp -d "$cache/build.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    echo "sandbox-image: debootstrap $suite into $work (cached as $tarball)" >&2
    debootstrap --variant=minbase --include="$packages" "$suite" "$work/rootfs" "$mirror" \
        >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
    rootfs="$work/rootfs"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
        "$rootfs"/usr/share/doc "$rootfs"/usr/share/man "$rootfs"/usr/share/locale
    # The work dir of locked-down runs: the run volume copies this owner and mode.
    install -d -o 65534 -g 65534 -m 0700 "$rootfs/work"
    tar -C "$rootfs" --numeric-owner -cf "$work/rootfs.tar" .
    mv "$work/rootfs.tar" "$tarball"
fi
docker import --change 'WORKDIR /work' --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' "$tarball" "$image" >/dev/null
echo "sandbox-image: $image" >&2
