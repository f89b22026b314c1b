# Pinned versions of the test cluster's components. Changing one rebuilds that component once; the build output is
# cached outside the repository (see build.sh).
K8S_VERSION=v1.36.3
ETCD_VERSION=v3.6.16
KWOK_VERSION=v0.8.0
HELM_VERSION=v3.21.4
CLUSTER_CACHE=${DAPR_MTLS_CLUSTER_CACHE:-$HOME/.cache/dapr-mtls-cluster}
CLUSTER_BIN=$CLUSTER_CACHE/bin/k8s-$K8S_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION
# Real Dapr for the tests (built by test/dapr/build.sh): Sentry of each version in DAPR_SENTRY_VERSIONS, daprd of
# DAPR_DAPRD_VERSION (which must be the dapr version test/dapr/go/go.mod requires).
DAPR_SENTRY_VERSIONS="v1.16.2 v1.18.0"
DAPR_DAPRD_VERSION=v1.18.0
# The real Helm chart (charts/dapr of the dapr module) for the init -k tests.
DAPR_CHART_VERSIONS="v1.16.2"
DAPR_BIN=$CLUSTER_CACHE/dapr
