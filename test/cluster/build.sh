#!/usr/bin/env bash
# Builds the test cluster's binaries from pinned Go modules: kube-apiserver, kube-controller-manager, kube-scheduler
# and kubectl (k8s.io/kubernetes through a wrapper module), etcd (go.etcd.io/etcd/server/v3 through a wrapper module),
# kwok and helm. Output is cached in $CLUSTER_BIN; a warm run checks versions and returns in seconds.
# The whole script is one brace group, so bash parses it before running it: editing this file during a long build
# must not break the build that is running (bash otherwise reads a script as it goes).
{
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"

export GOWORK=off CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOTOOLCHAIN=${GOTOOLCHAIN:-auto}
mkdir -p "$CLUSTER_BIN" "$CLUSTER_CACHE/src"
# One build at a time: two would share 2 cores and write the same binaries; the second waits, then finds them current.
exec 9>"$CLUSTER_CACHE/build.lock"
flock 9
log() { printf '[cluster build] %s\n' "$*" >&2; }
started=$(date +%s)

# k8s.io/kubernetes requires its staging modules at v0.0.0, which the module proxy does not have, and `go install`
# refuses modules with replace directives. A throwaway wrapper module replaces each staging module with its published
# v0.N.P tag, read from the real go.mod so the list is right for any version.
build_kubernetes() {
  local want="Kubernetes $K8S_VERSION"
  if [ "$("$CLUSTER_BIN/kube-apiserver" --version 2>/dev/null)" = "$want" ] &&
     [ "$("$CLUSTER_BIN/kube-controller-manager" --version 2>/dev/null)" = "$want" ] &&
     [ "$("$CLUSTER_BIN/kube-scheduler" --version 2>/dev/null)" = "$want" ] &&
     [ -x "$CLUSTER_BIN/kubectl" ]; then
    return
  fi
  log "building kubernetes $K8S_VERSION (cold: tens of minutes on 2 cores)"
  local w="$CLUSTER_CACHE/src/kubernetes-$K8S_VERSION"
  mkdir -p "$w"
  (
    cd "$w"
    if [ ! -f go.sum ]; then
      rm -f go.mod
      go mod init local/kubernetes-build >/dev/null 2>&1
      local upstream
      upstream=$(cd /tmp && GOFLAGS= go mod download -json "k8s.io/kubernetes@$K8S_VERSION" |
        grep '"GoMod"' | cut -d'"' -f4)
      [ -f "$upstream" ] || { log "cannot read go.mod of k8s.io/kubernetes@$K8S_VERSION"; exit 1; }
      local staging
      for staging in $(awk '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" {print $1}' "$upstream" | sort -u); do
        go mod edit "-replace=$staging=$staging@v0.${K8S_VERSION#v1.}"
      done
      # Match upstream's runtime defaults.
      grep -E '^godebug' "$upstream" >> go.mod || true
      go get "k8s.io/kubernetes/cmd/kube-apiserver@$K8S_VERSION" \
        "k8s.io/kubernetes/cmd/kube-controller-manager@$K8S_VERSION" \
        "k8s.io/kubernetes/cmd/kube-scheduler@$K8S_VERSION" "k8s.io/kubernetes/cmd/kubectl@$K8S_VERSION"
    fi
    local minor ldflags kv
    minor=$(echo "$K8S_VERSION" | cut -d. -f2)
    ldflags="-s -w"
    for kv in gitVersion=$K8S_VERSION gitMajor=1 gitMinor=$minor gitTreeState=clean buildDate=1970-01-01T00:00:00Z; do
      ldflags="$ldflags -X k8s.io/component-base/version.$kv -X k8s.io/client-go/pkg/version.$kv"
    done
    go build -mod=mod -trimpath -tags=notest,grpcnotrace -ldflags="$ldflags" -o "$CLUSTER_BIN/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
  )
}

# etcd's server module is a main package; as a dependency its own relative replaces are ignored and its siblings
# resolve to their published versions.
build_etcd() {
  if "$CLUSTER_BIN/etcd" --version 2>/dev/null | grep -q "etcd Version: ${ETCD_VERSION#v}"; then return; fi
  log "building etcd $ETCD_VERSION"
  local w="$CLUSTER_CACHE/src/etcd-$ETCD_VERSION"
  mkdir -p "$w"
  (
    cd "$w"
    if [ ! -f go.sum ]; then
      rm -f go.mod
      go mod init local/etcd-build >/dev/null 2>&1
      go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
    fi
    go build -mod=mod -trimpath -ldflags="-s -w" -o "$CLUSTER_BIN/etcd" go.etcd.io/etcd/server/v3
  )
}

build_kwok() {
  if "$CLUSTER_BIN/kwok" --version 2>/dev/null | grep -q "$KWOK_VERSION"; then return; fi
  log "building kwok $KWOK_VERSION"
  GOFLAGS= GOBIN="$CLUSTER_BIN" go install -trimpath -ldflags="-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  # The stage definitions kwok needs ship inside its module; keep a copy beside the binary.
  local stages
  stages=$(GOFLAGS= go env GOMODCACHE)/sigs.k8s.io/kwok@$KWOK_VERSION/kustomize/stage
  rm -rf "$CLUSTER_BIN/kwok-stages"
  cp -r "$stages" "$CLUSTER_BIN/kwok-stages"
  chmod -R u+w "$CLUSTER_BIN/kwok-stages"
}

build_helm() {
  if "$CLUSTER_BIN/helm" version --short 2>/dev/null | grep -q "$HELM_VERSION"; then return; fi
  log "building helm $HELM_VERSION"
  GOFLAGS= GOBIN="$CLUSTER_BIN" go install -trimpath \
    -ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(etcd kwok kubernetes helm)
for t in "${targets[@]}"; do "build_$t"; done
log "ready in $(( $(date +%s) - started ))s: $CLUSTER_BIN"
exit
}
