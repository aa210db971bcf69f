//go:build tools

// Package tools pins the VictoriaMetrics single-node server used as a second
// backend by the integration tests. hack/test-deps.sh builds it into
// .cache/bin/victoria-metrics; nothing in the causeway module imports it.
package tools

import (
	_ "github.com/VictoriaMetrics/VictoriaMetrics/app/victoria-metrics"
)
