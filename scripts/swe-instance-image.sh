#!/usr/bin/env bash
# Builds a SWE-bench per-instance image without any registry, from the sandbox image: the
# repository at /testbed (a snapshot at base_commit) and the instance's environment in a venv
# at /opt/miniconda3/envs/testbed (where the official images keep their conda env), first on
# the image's PATH.
#
#   scripts/swe-instance-image.sh [--rebuild] [--base IMAGE] INSTANCE
#
# INSTANCE: an instance id with a directory under tests/data/swebench_rows/, or a directory
# holding row.json (the dataset row), repo.tar.gz (the repository at base_commit) and
# requirements.txt (the environment, every package pinned). Prints the image name,
# sweb.eval.x86_64.<instance_id, "__" -> "_1776_">:latest, lowercased (the published
# images' name without the swebench/ namespace), and tags the same image with the name
# SWE-bench's harness gives the images it builds locally, sweb.eval.x86_64.<instance_id>:latest.
#
# The packages are downloaded on the host (pip download, --no-deps: the file pins the whole
# closure) into ${REWARD_SERVER_CACHE:-/var/cache/reward-server}/wheels/<hash of the file>/
# and installed in the build with --no-index, so a later build needs no network. The build
# runs with --network none (the test engine has no bridge). An existing image with the same
# inputs (snapshot, requirements, base image) is kept unless --rebuild (which also skips the
# engine's layer cache); one built from other inputs is rebuilt. The base image (default
# reward-server-sandbox:latest) is built by scripts/sandbox-image.sh when missing.
#
# Environment: DOCKER_HOST (the engine), REWARD_SERVER_CACHE, PYTHON (the host's python3,
# for pip download and reading the row).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rows="$here/../tests/data/swebench_rows"
base=reward-server-sandbox:latest
rebuild=0
instance=
while (($#)); do
    case $1 in
        --rebuild) rebuild=1 ;;
        --base) base=${2:?--base needs an image}; shift ;;
        -h | --help) sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"; exit 0 ;;
        -*) echo "swe-instance-image: unknown option $1" >&2; exit 2 ;;
        *) instance=$1 ;;
    esac
    shift
done
[[ -n $instance ]] || { echo "usage: $0 [--rebuild] [--base IMAGE] INSTANCE" >&2; exit 2; }
if [[ -d $instance ]]; then dir=$(cd "$instance" && pwd); else dir="$rows/$instance"; fi
for file in row.json repo.tar.gz requirements.txt; do
    [[ -s $dir/$file ]] || { echo "swe-instance-image: missing $dir/$file" >&2; exit 2; }
done
python=${PYTHON:-python3}
cache=${REWARD_SERVER_CACHE:-/var/cache/reward-server}
layout=1  # bump when the build steps below change what goes into the image

instance_id=$("$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["instance_id"])' \
    "$dir/row.json")
image=$(echo "sweb.eval.x86_64.${instance_id//__/_1776_}:latest" | tr '[:upper:]' '[:lower:]')
local_name=$(echo "sweb.eval.x86_64.$instance_id:latest" | tr '[:upper:]' '[:lower:]')
if ! docker image inspect "$base" >/dev/null 2>&1; then
    bash "$here/sandbox-image.sh" "$base"
fi
base_id=$(docker image inspect --format '{{.Id}}' "$base")
inputs=$(cat "$dir/repo.tar.gz" "$dir/requirements.txt" <(echo "$base_id $layout") \
    | sha256sum | cut -c1-16)

if ((!rebuild)) && [[ $(docker image inspect --format \
    '{{index .Config.Labels "reward-server.swe-inputs"}}' "$image" 2>/dev/null) == "$inputs" ]]; then
    echo "swe-instance-image: $image is up to date" >&2
    docker tag "$image" "$local_name"
    echo "$image"
    exit 0
fi

# The packages: downloaded once per requirements file, for CPython 3.11 on x86_64 Linux.
lock=$(sha256sum "$dir/requirements.txt" | cut -c1-16)
wheels="$cache/wheels/$lock"
if [[ ! -e $wheels/.complete ]]; then
    echo "swe-instance-image: downloading the packages of $instance_id into $wheels" >&2
    mkdir -p "$wheels"
    "$python" -m pip download --quiet --disable-pip-version-check --no-deps \
        --python-version 3.11 --implementation cp --abi cp311 --platform manylinux2014_x86_64 \
        --dest "$wheels" -r "$dir/requirements.txt" >&2
    touch "$wheels/.complete"
fi

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
cp "$dir/repo.tar.gz" "$dir/requirements.txt" "$context/"
mkdir "$context/wheels"
cp "$wheels"/* "$context/wheels/"
grep -iE '^(setuptools|wheel)==' "$dir/requirements.txt" >"$context/build-tools.txt" || true
cat >"$context/Dockerfile" <<EOF
FROM $base
ADD repo.tar.gz /testbed/
COPY requirements.txt build-tools.txt /tmp/environment/
COPY wheels /tmp/environment/wheels/
# No --system-site-packages: like the official conda env, the venv sees only its own pins
# (Debian's pytest stays out of it). Build tools first; then the rest and the repository,
# built without isolation (an isolated build would fetch setuptools from the network).
RUN set -e; env=/opt/miniconda3/envs/testbed; cd /tmp/environment; \\
    python3 -m venv \$env; \\
    pip="\$env/bin/python -m pip --no-cache-dir --disable-pip-version-check --no-input"; \\
    \$pip install --no-index --find-links wheels -r build-tools.txt; \\
    \$pip install --no-index --find-links wheels --no-build-isolation -r requirements.txt; \\
    cd /testbed && \$pip install --no-index --find-links /tmp/environment/wheels \\
        --no-build-isolation -e .; \\
    rm -rf /tmp/environment /root/.cache
ENV PATH=/opt/miniconda3/envs/testbed/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WORKDIR /testbed
LABEL reward-server.swe-instance=$instance_id reward-server.swe-inputs=$inputs
EOF
old=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
echo "swe-instance-image: building $image from $base" >&2
no_cache=()
((rebuild)) && no_cache=(--no-cache)  # not even the engine's layer cache
DOCKER_BUILDKIT=0 docker build "${no_cache[@]}" --network none --rm --force-rm --tag "$image" \
    "$context" >&2
if [[ -n $old && $old != $(docker image inspect --format '{{.Id}}' "$image") ]]; then
    docker image rm "$old" >/dev/null 2>&1 || true  # the previous build, now untagged
fi
docker tag "$image" "$local_name"
echo "$image"
