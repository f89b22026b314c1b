#!/usr/bin/env bash
# Builds real Dapr for the tests from pinned Go modules: Sentry of each version in $DAPR_SENTRY_VERSIONS (through a
# throwaway wrapper module per version), daprd (our own main in test/dapr/go, which adds the components the tests need
# to upstream's daprd) and the sign client (test/dapr/go/cmd/signclient). Usage: build.sh [sentry] [daprd] [signclient]
# [chart] (default: all; chart copies the real Helm chart out of the dapr module). Output is cached in $DAPR_BIN with a stamp beside each binary; a warm run checks the stamps and
# returns in well under a second. Dapr binaries are checked by dapr version (also read back from Go's build info),
# ours by a hash of their sources and flags, so an edit rebuilds them.
# The whole script is one brace group, so bash parses it before running it: editing this file during a long build
# must not break the build that is running (bash otherwise reads a script as it goes).
{
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cluster/versions.sh"
module=$here/go

export GOWORK=off CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOTOOLCHAIN=${GOTOOLCHAIN:-auto}
mkdir -p "$DAPR_BIN" "$CLUSTER_CACHE/src"
# One Dapr build at a time, on a lock of its own so it can run beside the cluster build (test/cluster/build.sh).
exec 8>"$CLUSTER_CACHE/dapr-build.lock"
flock 8
log() { printf '[dapr build] %s\n' "$*" >&2; }
started=$(date +%s)

# Dapr's Makefile links the version in this way; Sentry and daprd then log it (at start, and in every line's ver=).
dapr_ldflags() {
  local v=${1#v}
  printf -- '-s -w -X %s=%s -X %s=%s -X %s=%s' github.com/dapr/dapr/pkg/buildinfo.version "$v" \
    github.com/dapr/dapr/pkg/buildinfo.gitversion "$1" github.com/dapr/kit/logger.DaprVersion "$v"
}

# A binary is current when the stamp written beside it after its build says it was built from what is pinned now.
# (Go's own build info cannot say it: with -trimpath it leaves out -ldflags.)
is_current() { [ -x "$1" ] && [ "$(cat "$1.stamp" 2>/dev/null)" = "$2" ]; }

# The version of github.com/dapr/dapr Go recorded in the binary (as its main module, or as a dependency).
has_dapr_version() { go version -m "$1" 2>/dev/null | grep -qE "(mod|dep)\s+github.com/dapr/dapr\s+$2\s"; }

# $1 output, $2 its stamp, then go build arguments. Builds under a temporary name and renames, and writes the stamp
# last, so an interrupted build never leaves a binary that looks finished.
go_build() {
  local out=$1 stamp=$2
  shift 2
  rm -f "$out.stamp"
  go build -trimpath -o "$out.partial" "$@"
  mv -f "$out.partial" "$out"
  printf '%s\n' "$stamp" >"$out.stamp"
}

# A module that depends on dapr ignores dapr's own replace directives; copying them selects the same dependency
# versions dapr's release build used.
copy_dapr_replaces() {
  local upstream
  upstream=$(cd /tmp && GOFLAGS= go mod download -json "github.com/dapr/dapr@$1" | grep '"GoMod"' | cut -d'"' -f4)
  [ -f "$upstream" ] || { log "cannot read go.mod of github.com/dapr/dapr@$1"; exit 1; }
  go mod edit -json "$upstream" | node -e '
    const mod = JSON.parse(require("node:fs").readFileSync(0, "utf8"))
    for (const {Old, New} of mod.Replace ?? []) {
      if (New.Version) console.log(`-replace=${Old.Path}${Old.Version ? "@" + Old.Version : ""}=${New.Path}@${New.Version}`)
    }' | xargs -r go mod edit
}

build_sentry() {
  local version
  for version in $DAPR_SENTRY_VERSIONS; do build_sentry_version "$version"; done
}

build_sentry_version() {
  local version=$1 out="$DAPR_BIN/sentry-${1#v}" ldflags stamp
  ldflags=$(dapr_ldflags "$version")
  stamp="github.com/dapr/dapr/cmd/sentry@$version $ldflags"
  if is_current "$out" "$stamp" && has_dapr_version "$out" "$version"; then return; fi
  log "building sentry $version (cold: about 4 minutes on 2 cores)"
  local t0 w="$CLUSTER_CACHE/src/dapr-sentry-$version"
  t0=$(date +%s)
  mkdir -p "$w"
  (
    cd "$w"
    # .resolved marks a finished `go get`; anything short of it (an interrupted download) starts the module over.
    if [ ! -f .resolved ]; then
      rm -f go.mod go.sum
      go mod init local/dapr-sentry-build >/dev/null 2>&1
      copy_dapr_replaces "$version"
      # The cmd/sentry package, not just the root module: only then does go.sum hold every module it imports.
      go get "github.com/dapr/dapr/cmd/sentry@$version"
      touch .resolved
    fi
    go_build "$out" "$stamp" -mod=mod -ldflags="$ldflags" github.com/dapr/dapr/cmd/sentry
  )
  has_dapr_version "$out" "$version" || { log "$out was not built from github.com/dapr/dapr $version"; exit 1; }
  log "sentry $version built in $(( $(date +%s) - t0 ))s"
}

check_module() {
  if ! grep -qE "^\s*github.com/dapr/dapr $DAPR_DAPRD_VERSION(\s|$)" "$module/go.mod"; then
    log "test/dapr/go/go.mod does not require github.com/dapr/dapr $DAPR_DAPRD_VERSION (versions.sh pins it)"
    log "fix: cd test/dapr/go && go get github.com/dapr/dapr@$DAPR_DAPRD_VERSION, then build.sh again"
    exit 1
  fi
}

# Our own Go program: $1 output name, $2 package, $3 -tags, $4 -ldflags. Its stamp hashes our sources and these
# flags, so an edit or a flag change rebuilds it.
build_own() {
  local out="$DAPR_BIN/$1" package=$2 tags=$3 ldflags=$4 stamp
  check_module
  stamp=$(cd "$module" && {
    printf '%s\n' "$tags" "$ldflags"
    find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -print0 | sort -z | xargs -0 sha256sum
  } | sha256sum | cut -c1-16)
  if is_current "$out" "$stamp"; then return; fi
  log "building $1 from test/dapr/go/$package"
  local t0
  t0=$(date +%s)
  (cd "$module" && go_build "$out" "$stamp" ${tags:+-tags="$tags"} -ldflags="$ldflags" "./$package")
  log "$1 built in $(( $(date +%s) - t0 ))s"
}

build_daprd() {
  # stablecomponents: daprd's component registry panics at start when built without a components tag.
  build_own "daprd-${DAPR_DAPRD_VERSION#v}" cmd/daprd stablecomponents "$(dapr_ldflags "$DAPR_DAPRD_VERSION")"
}

build_signclient() {
  build_own signclient cmd/signclient '' '-s -w'
}

# The real Helm chart ships inside the dapr module (charts/dapr with its subcharts): a copy of it, per version, for
# the `init -k` tests. The module is already downloaded by the Sentry build of the same version.
build_chart() {
  local version out stamp
  for version in $DAPR_CHART_VERSIONS; do
    out="$DAPR_BIN/charts/dapr-${version#v}"
    stamp="github.com/dapr/dapr@$version charts/dapr"
    if [ -f "$out/Chart.yaml" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then continue; fi
    local dir
    dir=$(cd /tmp && GOFLAGS= go mod download -json "github.com/dapr/dapr@$version" | grep '"Dir"' | cut -d'"' -f4)
    [ -f "$dir/charts/dapr/Chart.yaml" ] || { log "no charts/dapr in github.com/dapr/dapr@$version"; exit 1; }
    rm -rf "$out" "$out.stamp"
    mkdir -p "$(dirname "$out")"
    cp -r "$dir/charts/dapr" "$out.partial"
    chmod -R u+w "$out.partial"
    mv "$out.partial" "$out"
    printf '%s\n' "$stamp" >"$out.stamp"
    log "chart dapr ${version#v} copied from the module"
  done
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(sentry daprd signclient chart)
for t in "${targets[@]}"; do
  case $t in
    sentry | daprd | signclient | chart) ;;
    *) log "unknown target '$t'; targets: sentry daprd signclient chart"; exit 2 ;;
  esac
done
for t in "${targets[@]}"; do "build_$t"; done
log "ready in $(( $(date +%s) - started ))s: $DAPR_BIN"
exit
}
