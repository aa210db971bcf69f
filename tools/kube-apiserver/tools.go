//go:build tools

// Package tools pins the kube-apiserver used by the Kubernetes integration
// tests (queries/kube). hack/kube-deps.sh builds it into
// .cache/kube/<version>/kube-apiserver; nothing in the causeway module imports it.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
